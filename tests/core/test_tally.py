"""The shared tally behind the API write limit: exact in a process, batched to the shared cache."""

from __future__ import annotations

import pytest
from django.core.cache import caches

from convene.core import tally
from convene.core.tally import SharedTally


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(tally.time, "monotonic", fake)
    return fake


def test_counts_in_a_process_are_exact_between_batches(clock):
    cache = caches["default"]
    counter = SharedTally(flush_seconds=60)
    assert [counter.add(cache, "k") for _ in range(5)] == [1, 2, 3, 4, 5]
    assert cache.get("k") == 1  # only the first write went out; the other four wait for the next batch
    clock.now += 61
    assert counter.add(cache, "k") == 6
    assert cache.get("k") == 6


def test_another_process_sees_the_counts_one_batch_late_at_most(clock):
    cache = caches["default"]
    a, b = SharedTally(flush_seconds=0.1), SharedTally(flush_seconds=0.1)
    for _ in range(10):
        a.add(cache, "k")  # 1 sent at once, 9 held
    clock.now += 0.06
    assert b.add(cache, "k") == 2  # b's first batch: it sees a's first batch only
    clock.now += 0.06
    assert a.add(cache, "k") == 12  # a's batch carries its 10 held counts: 1 + 1 + 10
    clock.now += 0.02
    assert b.add(cache, "k") == 3  # b's next batch is not due: what it knew, plus its own
    clock.now += 0.06
    assert b.add(cache, "k") == 14  # and the batch gives the exact shared total


def test_a_batch_carries_every_key_counted_since_the_last(clock):
    cache = caches["default"]
    counter = SharedTally(flush_seconds=1)
    counter.add(cache, "a")
    counter.add(cache, "b")
    counter.add(cache, "b")
    clock.now += 1
    counter.add(cache, "c")
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, 2, 1)


def test_a_failed_batch_is_not_lost(clock):
    class Down:
        def add(self, *args, **kwargs):
            raise ConnectionError("cache down")

    cache = caches["default"]
    counter = SharedTally(flush_seconds=1)
    with pytest.raises(ConnectionError):
        counter.add(Down(), "k")
    assert counter.add(cache, "k") == 2  # the failed write is sent with the next batch
    assert cache.get("k") == 2


def test_on_redis_a_batch_is_one_round_trip(clock, monkeypatch, redis_cache):
    from redis.commands.core import Script

    cache = caches["default"]
    executed = []
    original = Script.__call__

    def counted(self, keys=None, args=None, client=None):
        executed.append(len(keys))
        return original(self, keys=keys, args=args, client=client)

    monkeypatch.setattr(Script, "__call__", counted)
    counter = SharedTally(flush_seconds=1)
    for key in ("x", "y", "y"):
        counter.add(cache, key)  # x goes out at once; y twice, held
    clock.now += 1
    assert counter.add(cache, "x") == 2
    assert executed == [1, 2]  # one script call a batch: one key, then both
    assert (cache.get("x"), cache.get("y")) == (2, 2)
    assert all(0 < redis_cache.ttl(name) <= tally.TTL for name in redis_cache.keys("*"))
