"""A Redis cache that fails open: when Redis is unreachable, reads miss and writes are dropped.

The cache holds only what can be lost: rate-limit counters (allauth's login limits, the API
write limit, the public form's limit), the map worker's "recompute pending" flags and memoised
trends. With Redis down, logins, API writes, votes and requests for opinion keep working (the
limits are not enforced meanwhile) instead of answering 500; a warning is logged at most once a
`WARN_EVERY` seconds per process so an outage does not flood the log.

Built on Django's documented base for cache backends and redis-py's public client, with one
client per server for the life of the process (redis-py's client is thread-safe and pools its
connections). Django's own Redis backend builds a new client for every operation, about 0.1 ms
of CPU each, several times per API vote (bench/profile_vote.py). Values are stored as Django's
Redis backend stores them (its serializer), so either backend reads what the other wrote.
"""

from __future__ import annotations

import logging
import random
import re
import time

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.redis import RedisSerializer
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


# Django's contract for `incr` (a missing key is a ValueError, never created), in one round trip
# and atomically: Django's own Redis backend asks EXISTS, then INCRBY (two round trips, with a
# window between). Every API write counts itself this way (core/middleware.py's rate limit).
_INCR_IF_EXISTS = (
    "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBY', KEYS[1], ARGV[1]) end return false"
)


class FailOpenRedisCache(BaseCache):
    """Redis at LOCATION (several servers separated by `;` or `,`: the first takes the writes, the
    others serve the reads, as with Django's backend). OPTIONS go to the connection pool."""

    def __init__(self, server, params):
        super().__init__(params)
        servers = re.split("[;,]", server) if isinstance(server, str) else list(server)
        options = dict(params.get("OPTIONS") or {})
        # A Redis that hangs must not hang the request: give up quickly and fail open.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
        self.clients = [redis.Redis(connection_pool=redis.ConnectionPool.from_url(s, **options)) for s in servers]
        self.serializer = RedisSerializer()
        self.incr_if_exists = self.clients[0].register_script(_INCR_IF_EXISTS)  # (EVALSHA, loaded once)

    def writer(self) -> redis.Redis:
        return self.clients[0]

    def reader(self) -> redis.Redis:
        return self.clients[0] if len(self.clients) == 1 else random.choice(self.clients[1:])

    def get_backend_timeout(self, timeout=DEFAULT_TIMEOUT):
        if timeout == DEFAULT_TIMEOUT:
            timeout = self.default_timeout
        return None if timeout is None else max(0, int(timeout))  # None: no expiry; 0: gone at once

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key, timeout = self.make_and_validate_key(key, version=version), self.get_backend_timeout(timeout)
        try:
            client, value = self.writer(), self.serializer.dumps(value)
            if timeout == 0:
                added = bool(client.set(key, value, nx=True))
                if added:
                    client.delete(key)
                return added
            return bool(client.set(key, value, ex=timeout, nx=True))
        except RedisError as exc:
            cache_unavailable(exc)
            return True  # as if added: a "pending" flag's work is still done

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        try:
            value = self.reader().get(key)
        except RedisError as exc:
            cache_unavailable(exc)
            return default
        return default if value is None else self.serializer.loads(value)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key, timeout = self.make_and_validate_key(key, version=version), self.get_backend_timeout(timeout)
        try:
            if timeout == 0:
                self.writer().delete(key)
            else:
                self.writer().set(key, self.serializer.dumps(value), ex=timeout)
        except RedisError as exc:
            cache_unavailable(exc)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        key, timeout = self.make_and_validate_key(key, version=version), self.get_backend_timeout(timeout)
        try:
            if timeout is None:
                return bool(self.writer().persist(key))
            return bool(self.writer().expire(key, timeout))
        except RedisError as exc:
            cache_unavailable(exc)
            return False

    def delete(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        try:
            return bool(self.writer().delete(key))
        except RedisError as exc:
            cache_unavailable(exc)
            return False

    def get_many(self, keys, version=None):
        keys = {self.make_and_validate_key(key, version=version): key for key in keys}
        if not keys:
            return {}
        try:
            values = self.reader().mget(list(keys))
        except RedisError as exc:
            cache_unavailable(exc)
            return {}
        return {keys[k]: self.serializer.loads(v) for k, v in zip(keys, values, strict=True) if v is not None}

    def has_key(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        try:
            return bool(self.reader().exists(key))
        except RedisError as exc:
            cache_unavailable(exc)
            return False

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        try:
            value = self.incr_if_exists(keys=[key], args=[delta])
        except RedisError as exc:
            cache_unavailable(exc)
            return delta  # a fresh count: under any limit
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        if not data:
            return []
        data = {self.make_and_validate_key(k, version=version): self.serializer.dumps(v) for k, v in data.items()}
        timeout = self.get_backend_timeout(timeout)
        try:
            pipeline = self.writer().pipeline()
            pipeline.mset(data)
            if timeout is not None:  # (mset sets no expiry)
                for key in data:
                    pipeline.expire(key, timeout)
            pipeline.execute()
        except RedisError as exc:
            cache_unavailable(exc)
            return list(data)
        return []

    def delete_many(self, keys, version=None):
        keys = [self.make_and_validate_key(key, version=version) for key in keys]
        if not keys:
            return
        try:
            self.writer().delete(*keys)
        except RedisError as exc:
            cache_unavailable(exc)

    def clear(self):
        try:
            return bool(self.writer().flushdb())
        except RedisError as exc:
            cache_unavailable(exc)
            return False

    def close(self, **kwargs):
        pass  # the connections stay pooled for the next request (as with Django's backend)
