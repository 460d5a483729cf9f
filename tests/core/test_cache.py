"""The fail-open Redis cache (core/cache.py) behaves as Django's cache API says, on a real Redis."""

from __future__ import annotations

import pytest
from django.core.cache import caches


def test_the_cache_api_on_redis(redis_cache):
    cache = caches["default"]
    assert cache.get("a") is None and cache.get("a", 5) == 5
    cache.set("a", {"x": [1, 2]}, timeout=30)
    assert cache.get("a") == {"x": [1, 2]}
    assert cache.add("a", 1) is False and cache.add("b", 1, timeout=30) is True
    assert cache.incr("b") == 2 and cache.incr("b", 10) == 12
    with pytest.raises(ValueError):
        cache.incr("missing")
    assert cache.get("missing") is None  # (not created by the attempt)
    cache.set_many({"c": "three", "d": 4}, timeout=30)
    assert cache.get_many(["a", "c", "d", "nothing"]) == {"a": {"x": [1, 2]}, "c": "three", "d": 4}
    assert cache.has_key("c") and cache.touch("c", 60)
    assert 0 < redis_cache.ttl(cache.make_key("c")) <= 60
    cache.set("e", 1, timeout=None)
    assert redis_cache.ttl(cache.make_key("e")) == -1  # no expiry
    cache.set("e", 1, timeout=0)
    assert cache.get("e") is None
    assert cache.delete("a") is True and cache.delete("a") is False
    cache.delete_many(["c", "d"])
    assert cache.get_many(["c", "d"]) == {}
    # Django's own Redis backend reads what this one writes (and the other way round)
    cache.set("shared", [1, "two"], timeout=30)
    assert redis_cache.get(cache.make_key("shared")) is not None
    assert cache.clear() is True and cache.get("b") is None
