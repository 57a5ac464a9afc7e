"""A Redis cache that fails soft: while Redis is unreachable the cache behaves as an empty one that keeps
nothing, instead of failing the request.

The cache holds nothing that must survive (sessions and login failures are database rows): today only the
API rate limit (DRF's UserRateThrottle) lives in it, and that limit is lifted, not enforced with a 500, while
Redis is down - the login lockout (django-axes) stays in the database and keeps working.

A failed call opens a breaker for FAIL_SOFT_SECONDS: later calls in this process do not try Redis at all
until then, so a Redis that hangs (accepts connections but never answers) costs one socket timeout per
process every FAIL_SOFT_SECONDS, not one per request.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ReadOnlyError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# Redis is gone, hangs, or is a replica after a failover. Anything else (a bad command) is a bug and raises.
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, ReadOnlyError, OSError)
FAIL_SOFT_SECONDS = 15.0

# When each cache location may be tried again; shared by the threads of a process (Django builds one cache
# object per thread).
_down_until: dict[str, float] = {}


class FailSoftRedisCache(RedisCache):
    """django.core.cache.backends.redis.RedisCache that answers "not cached" while Redis is unavailable."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._location = server if isinstance(server, str) else ",".join(server)

    def is_available(self) -> bool:
        """Whether the breaker lets calls through to Redis now."""
        return _down_until.get(self._location, 0.0) <= time.monotonic()

    def _call(self, method, fallback, *args, **kwargs):
        if not self.is_available():
            return fallback
        try:
            return method(*args, **kwargs)
        except UNAVAILABLE as exc:
            _down_until[self._location] = time.monotonic() + FAIL_SOFT_SECONDS
            # No key in the message: a key could name a user.
            logger.warning(
                "Cache unavailable (%s); working without it for %s s", type(exc).__name__, FAIL_SOFT_SECONDS
            )
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().add, False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call(super().get, default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set, None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call(super().delete, False, key, version)

    def get_many(self, keys, version=None):
        return self._call(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._call(super().has_key, False, key, version)

    def incr(self, key, delta=1, version=None):
        # Django's answer for a key that is not there: the caller already handles it.
        result = self._call(super().incr, None, key, delta, version)
        if result is None:
            raise ValueError("Key not found (cache unavailable)")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # The keys that were not stored: all of them.
        return self._call(super().set_many, list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call(super().delete_many, None, keys, version)

    def clear(self):
        """Delete this cache's keys, and only those: the broker may share the Redis database, and Django's
        clear() (FLUSHDB) would take its queues with it."""
        return self._call(self._clear_own_keys, False)

    def _clear_own_keys(self) -> bool:
        client = self._cache.get_client(write=True)
        # Every key this cache writes is "<KEY_PREFIX>:<version>:<key>" (Django's default key function).
        pattern = f"{glob_escape(self.key_prefix)}:*"
        batch = []
        for key in client.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) == 1000:
                client.unlink(*batch)
                batch = []
        if batch:
            client.unlink(*batch)
        return True


def glob_escape(text: str) -> str:
    """Escape Redis' glob characters, so that a key prefix matches only itself."""
    return "".join(f"\\{char}" if char in "*?[]\\" else char for char in text)
