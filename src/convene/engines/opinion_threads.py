"""Two-way thread parallelism for the few numpy/scipy kernels that dominate at scale.

numpy's sort and matmul and scipy's sparse products release the GIL, so splitting
one large call into independent halves uses the machine's second core. Results
are identical to the serial call (the halves are disjoint and recombined in order).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

WORKERS = max(1, min(2, os.cpu_count() or 1))
_MIN_ITEMS = 4_000_000  # below this, thread start-up is not worth it
_pool: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="opinion")
    return _pool


def pmap(fn, items: list) -> list:
    """[fn(x) for x in items], on up to WORKERS threads."""
    if WORKERS < 2 or len(items) < 2:
        return [fn(x) for x in items]
    return list(_executor().map(fn, items))


def sort_int64(a: np.ndarray) -> np.ndarray:
    """Sort a large int64 array in place (split by value across two threads); returns it."""
    n = len(a)
    if WORKERS < 2 or n < _MIN_ITEMS:
        a.sort()
        return a
    sample = np.sort(a[:: max(1, n // 4096)])
    pivot = sample[len(sample) // 2]
    low = a < pivot
    parts = [a[low], a[~low]]
    del low
    pmap(np.ndarray.sort, parts)
    a[: len(parts[0])] = parts[0]  # back into `a`: peak memory is one extra copy, not two
    a[len(parts[0]) :] = parts[1]
    return a
