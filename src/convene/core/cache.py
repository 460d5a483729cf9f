"""A Redis cache that fails open: when Redis is unreachable, reads miss and writes are dropped.

The cache holds only what can be lost: rate-limit counters (allauth's login limits, the API
write limit, the public form's limit), the map worker's "recompute pending" flags and memoised
trends. With Redis down, logins, API writes, votes and requests for opinion keep working (the
limits are not enforced meanwhile) instead of answering 500; a warning is logged at most once a
`WARN_EVERY` seconds per process so an outage does not flood the log.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("convene.cache")
WARN_EVERY = 30.0
_last_warning = [float("-inf")]


def cache_unavailable(exc: Exception) -> None:
    """Log (at most once a WARN_EVERY seconds) that the cache failed and a limit is not enforced."""
    now = time.monotonic()
    if now - _last_warning[0] >= WARN_EVERY:
        _last_warning[0] = now
        logger.warning("Cache unavailable (%s): rate limits are not enforced until it is back.", exc)


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        # A Redis that hangs must not hang the request: give up quickly and fail open.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
        super().__init__(server, {**params, "OPTIONS": options})

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except RedisError as exc:
            cache_unavailable(exc)
            return True  # as if added: a "pending" flag's work is still done

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError as exc:
            cache_unavailable(exc)
            return default

    def set(self, key, value, timeout=None, version=None):
        try:
            super().set(key, value, timeout, version)
        except RedisError as exc:
            cache_unavailable(exc)

    def touch(self, key, timeout=None, version=None):
        try:
            return super().touch(key, timeout, version)
        except RedisError as exc:
            cache_unavailable(exc)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except RedisError as exc:
            cache_unavailable(exc)
            return False

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except RedisError as exc:
            cache_unavailable(exc)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except RedisError as exc:
            cache_unavailable(exc)
            return False

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except RedisError as exc:
            cache_unavailable(exc)
            return delta  # a fresh count: under any limit

    def set_many(self, data, timeout=None, version=None):
        try:
            return super().set_many(data, timeout, version)
        except RedisError as exc:
            cache_unavailable(exc)
            return list(data)

    def delete_many(self, keys, version=None):
        try:
            super().delete_many(keys, version)
        except RedisError as exc:
            cache_unavailable(exc)

    def clear(self):
        try:
            return super().clear()
        except RedisError as exc:
            cache_unavailable(exc)
            return False
