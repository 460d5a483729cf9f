"""Counters every process shares (the API write limit), counted here and sent in batches.

Counting each write in the shared cache as it happens costs a round trip per request: on Redis
about a fifth of the vote lane's CPU, on the file cache about a millisecond. A tally counts in
the process and adds what it has counted to the shared cache at most every `flush_seconds`,
all keys in one round trip (one script call on Redis). Each answer is the shared total as of this
process's last batch plus what it has counted since: exact for the writes this process has
seen, and late by at most `flush_seconds` for those other processes saw. A limit can so be
passed by what the other processes let through in that time, no more (docs/decisions.md).
"""

from __future__ import annotations

import threading
import time

FLUSH_SECONDS = 0.1
TTL = 120  # seconds a counter lives in the shared cache (callers put a minute window in the key)
_MAX_KEYS = 100_000  # a bound on what a flood of distinct callers can make a process hold


class SharedTally:
    def __init__(self, flush_seconds: float = FLUSH_SECONDS):
        self.flush_seconds = flush_seconds
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget everything (the tests' cache.clear() counterpart)."""
        with self._lock:
            self._unsent: dict[str, int] = {}
            self._shared: dict[str, tuple[int, float]] = {}  # key -> (total at the last batch, forget at)
            self._sent_at = float("-inf")

    def add(self, cache, key: str) -> int:
        """Count one for `key`; the total as best this process knows it."""
        now = time.monotonic()
        with self._lock:
            unsent = self._unsent[key] = self._unsent.get(key, 0) + 1
            if now - self._sent_at < self.flush_seconds:
                return self._shared.get(key, (0, 0.0))[0] + unsent
            batch, self._unsent, self._sent_at = self._unsent, {}, now
        try:
            totals = _add_all(cache, batch)
        except Exception:
            with self._lock:  # not counted yet: the next batch carries them
                for k, n in batch.items():
                    self._unsent[k] = self._unsent.get(k, 0) + n
                self._sent_at = float("-inf")
            raise
        with self._lock:
            if len(self._shared) > _MAX_KEYS:
                self._shared = {k: v for k, v in self._shared.items() if v[1] > now}
                if len(self._shared) > _MAX_KEYS:
                    self._shared.clear()
            forget_at = now + TTL
            for k, total in totals.items():
                self._shared[k] = (total, forget_at)
            return totals[key] + self._unsent.get(key, 0)


# One command for a whole batch (EVALSHA): a pipeline of two commands a key cost redis-py about
# four times the CPU. A counter gets its expiry when this batch made it, so it lives TTL seconds.
_ADD_ALL = """
local totals = {}
for i, key in ipairs(KEYS) do
  local n = tonumber(ARGV[i + 1])
  local total = redis.call('INCRBY', key, n)
  if total == n then redis.call('EXPIRE', key, ARGV[1]) end
  totals[i] = total
end
return totals
"""


def _add_all(cache, batch: dict[str, int]) -> dict[str, int]:
    """Add each count to its shared counter (created with a TTL); the new totals."""
    from django.core.cache.backends.redis import RedisCache

    if isinstance(cache, RedisCache):
        names = [cache.make_and_validate_key(key) for key in batch]
        # Django's own Redis client, kept on the backend (one per thread): get_client builds a
        # new client object on every call.
        script = getattr(cache, "_tally_script", None)
        if script is None:
            client = cache._cache.get_client(names[0], write=True)
            script = cache._tally_script = client.register_script(_ADD_ALL)
        replies = script(keys=names, args=[TTL, *batch.values()])
        return {key: int(total) for key, total in zip(batch, replies, strict=True)}
    totals = {}
    for key, n in batch.items():
        cache.add(key, 0, timeout=TTL)
        try:
            totals[key] = cache.incr(key, n)
        except ValueError:  # evicted in between
            cache.set(key, n, timeout=TTL)
            totals[key] = n
    return totals
