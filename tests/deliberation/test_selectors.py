"""The vote lane's per-process pool of statements: comparing pools, and draws made ahead."""

from __future__ import annotations

import numpy as np

from convene.deliberation import selectors
from convene.deliberation.selectors import Pool


def _pool(ids, others=(), weights=None, key="k") -> Pool:
    ids = np.asarray(ids, dtype=np.int64)
    weights = np.ones(len(ids)) if weights is None else np.asarray(weights, dtype=np.float64)
    statements = (np.sort(ids).tobytes(), tuple(sorted(others)))
    return Pool(key, 1, 0.0, ids, np.cumsum(weights), list(others), statements)


def test_pools_with_the_same_statements_in_another_order_are_the_same():
    assert _pool([3, 1, 2], others=[9, 8]).same_statements(_pool([1, 2, 3], others=[8, 9]))
    assert not _pool([1, 2, 3]).same_statements(_pool([1, 2], others=[3]))  # one was rejected
    assert not _pool([1, 2, 3]).same_statements(_pool([1, 2, 3, 4]))  # one was accepted
    assert not _pool([1, 2, 3], key="a").same_statements(_pool([1, 2, 3], key="b"))  # another response


def test_draws_made_ahead_follow_the_priorities_and_run_on(monkeypatch):
    monkeypatch.setattr(selectors, "SMALL_POOL", 2)
    pool = _pool(range(1, 11), weights=[0, 0, 0, 0, 0, 0, 0, 0, 1, 3])  # only 9 and 10 can be drawn
    rng = np.random.default_rng(7)
    draws = [pool.asked(rng) for _ in range(selectors.DRAWN_AHEAD * 3)]  # past three refills
    assert all(len(d) == selectors.DRAWS for d in draws)
    flat = np.concatenate(draws)
    assert set(flat.tolist()) == {9, 10}
    assert 0.70 < np.mean(flat == 10) < 0.80  # 3 to 1
    ahead = selectors.DRAWN_AHEAD
    assert draws[:ahead] != draws[ahead : 2 * ahead]  # each refill draws anew


def test_a_small_pool_is_asked_about_whole():
    pool = _pool([5, 6, 7])
    assert pool.asked(np.random.default_rng(1)) == [5, 6, 7]
