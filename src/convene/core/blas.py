"""One BLAS thread while the grouping engine runs, set from the Django side with threadpoolctl.

The exchange heuristic of `engines.grouping` makes many small matrix products; a multi-threaded
OpenBLAS spends more on waking its threads than on the arithmetic, and on a busy two-core machine
it can be ten times slower. The engine stays pure numpy and says nothing about threads: its
callers (the breakout-group service, the `groups` command, bench/grouping.py) run it inside
`with single_blas_thread:`. Nested and concurrent uses (threads of one web process) are counted,
so the process's own setting comes back when the last one ends. Worker processes that
`solve(n_jobs=...)` forks inherit the setting.
"""

from __future__ import annotations

import threading

from threadpoolctl import threadpool_limits


class _SingleBlasThread:
    """A re-entrant, thread-safe `threadpool_limits(limits=1, user_api="blas")`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._limits: threadpool_limits | None = None

    def __enter__(self) -> None:
        with self._lock:
            if self._users == 0:
                self._limits = threadpool_limits(limits=1, user_api="blas")
            self._users += 1

    def __exit__(self, *exc) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0 and self._limits is not None:
                self._limits.restore_original_limits()
                self._limits = None


single_blas_thread = _SingleBlasThread()
