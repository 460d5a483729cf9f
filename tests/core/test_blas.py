"""core.blas.single_blas_thread: one BLAS thread inside, the process's setting back after the last use."""

from __future__ import annotations

import numpy as np  # noqa: F401  (loads the BLAS threadpoolctl controls)
from threadpoolctl import threadpool_info

from convene.core.blas import single_blas_thread


def _blas_threads() -> list[int]:
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


def test_nested_uses_hold_one_thread_and_restore_once():
    before = _blas_threads()
    with single_blas_thread:
        assert all(n == 1 for n in _blas_threads())
        with single_blas_thread:
            assert all(n == 1 for n in _blas_threads())
        assert all(n == 1 for n in _blas_threads())  # the outer use still runs
    assert _blas_threads() == before
