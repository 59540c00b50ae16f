"""A Redis cache that treats Redis errors as misses.

Django's RedisCache raises when Redis is down, which would turn every page that touches the
cache into a 500. Nothing this app caches is the only copy of anything (the cache holds
debounce marks and worker pings), so a failed read is a miss and a failed write is dropped,
logged at most once a minute."""

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)
_LOG_EVERY_SECONDS = 60.0
_last_logged = 0.0


def _log_outage(operation: str, error: Exception) -> None:
    global _last_logged
    now = time.monotonic()
    if now - _last_logged >= _LOG_EVERY_SECONDS:
        _last_logged = now
        log.warning("Cache unavailable (%s: %s); serving without it", operation, error)


def _tolerant(name: str, fallback):
    def method(self, *args, **kwargs):
        try:
            return getattr(super(FaultTolerantRedisCache, self), name)(*args, **kwargs)
        except REDIS_DOWN as error:
            _log_outage(name, error)
            return fallback(*args, **kwargs)

    method.__name__ = name
    return method


def _default(key, default=None, version=None):
    return default


class FaultTolerantRedisCache(RedisCache):
    get = _tolerant("get", _default)
    get_many = _tolerant("get_many", lambda *a, **k: {})
    has_key = _tolerant("has_key", lambda *a, **k: False)
    # add() reports "not stored": a debounce mark then schedules nothing, and the beat task
    # picks the work up (portal.consumers).
    add = _tolerant("add", lambda *a, **k: False)
    set = _tolerant("set", lambda *a, **k: None)
    set_many = _tolerant("set_many", lambda data, *a, **k: list(data))
    touch = _tolerant("touch", lambda *a, **k: False)
    delete = _tolerant("delete", lambda *a, **k: False)
    delete_many = _tolerant("delete_many", lambda *a, **k: None)
    clear = _tolerant("clear", lambda *a, **k: False)
