"""A Redis cache that treats Redis errors as misses.

Django's RedisCache raises when Redis is down, which would turn every page that touches the
cache into a 500. Nothing this app caches is the only copy of anything (the cache holds
debounce marks and worker pings), so a failed read is a miss and a failed write is dropped,
logged at most once a minute."""

import logging
import time

from django.core.cache.backends.redis import RedisCache
from django_prometheus.cache.metrics import (
    django_cache_get_fail_total,
    django_cache_get_total,
    django_cache_hits_total,
    django_cache_misses_total,
)
from prometheus_client import Histogram
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)
_LOG_EVERY_SECONDS = 60.0

# Cache timings for /metrics (django-prometheus counts gets of its own backends but times
# nothing, and its Redis backend needs django-redis). "unavailable": Redis was down and the
# operation answered its fallback.
OPERATION_SECONDS = Histogram(
    "innoportal_cache_operation_seconds",
    "Duration of cache operations against Redis, by operation and outcome.",
    ["operation", "outcome"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
_BACKEND = "redis"
_last_logged = 0.0


def _log_outage(operation: str, error: Exception) -> None:
    global _last_logged
    now = time.monotonic()
    if now - _last_logged >= _LOG_EVERY_SECONDS:
        _last_logged = now
        log.warning("Cache unavailable (%s: %s); serving without it", operation, error)


def _tolerant(name: str, fallback):
    def method(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            result = getattr(super(FaultTolerantRedisCache, self), name)(*args, **kwargs)
        except REDIS_DOWN as error:
            OPERATION_SECONDS.labels(name, "unavailable").observe(time.perf_counter() - started)
            if name == "get":
                django_cache_get_total.labels(backend=_BACKEND).inc()
                django_cache_get_fail_total.labels(backend=_BACKEND).inc()
            _log_outage(name, error)
            return fallback(*args, **kwargs)
        OPERATION_SECONDS.labels(name, "ok").observe(time.perf_counter() - started)
        if name == "get":
            _count_get(result, *args, **kwargs)
        return result

    method.__name__ = name
    return method


def _count_get(result, key, default=None, version=None) -> None:
    django_cache_get_total.labels(backend=_BACKEND).inc()
    hit = result is not default
    (django_cache_hits_total if hit else django_cache_misses_total).labels(
        backend=_BACKEND).inc()


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
