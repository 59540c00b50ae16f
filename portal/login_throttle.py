"""Login throttling: after repeated failed logins for a username, or from one address, further
attempts are refused for a while — even with the right password, so guessing gains nothing.

Counters live in the Django cache: local memory without REDIS_URL (one process, fine for the
zero-setup path), Redis with it (shared by every web worker, so the limit is per site and not
per process). A counter is created on the first failure and its expiry is pushed forward on
every further failure: the lock lasts LOGIN_THROTTLE_SECONDS after the last failed attempt.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

KEY_PREFIX = "login-throttle"


def _limits() -> tuple[int, int, int]:
    return (settings.LOGIN_FAILURE_LIMIT_PER_USERNAME, settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS,
            settings.LOGIN_THROTTLE_SECONDS)


def client_address(request: HttpRequest | None) -> str:
    """The client's address. Behind our TLS proxy (BEHIND_TLS_PROXY) every request comes from
    the proxy, so the right-most X-Forwarded-For entry — the one our own proxy appended, which a
    client cannot forge — is the client; otherwise REMOTE_ADDR."""
    if request is None:
        return ""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR", "")


def _username_key(username: str) -> str:
    # Hashed: the cache never holds user names (nor the wrong ones people type).
    digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()
    return f"{KEY_PREFIX}:user:{digest}"


def _address_key(address: str) -> str:
    return f"{KEY_PREFIX}:addr:{address}"


def _keys(username: str | None, address: str) -> list[tuple[str, int]]:
    per_user, per_address, _seconds = _limits()
    keys = []
    if username:
        keys.append((_username_key(username), per_user))
    if address:
        keys.append((_address_key(address), per_address))
    return keys


def is_locked(username: str | None, request: HttpRequest | None) -> bool:
    keys = _keys(username, client_address(request))
    if not keys:
        return False
    counts = cache.get_many([key for key, _limit in keys])
    return any(counts.get(key, 0) >= limit for key, limit in keys)


def record_failure(username: str | None, request: HttpRequest | None) -> None:
    seconds = _limits()[2]
    for key, _limit in _keys(username, client_address(request)):
        # add + incr: atomic in Redis and in the local-memory cache, so two failures at once
        # are two, not one.
        cache.add(key, 0, timeout=seconds)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=seconds)
        cache.touch(key, timeout=seconds)


def record_success(username: str | None) -> None:
    """A successful login clears the username's counter. The address counter stays: one valid
    account must not let a guesser at the same address start again."""
    if username:
        cache.delete(_username_key(username))


def lockout_minutes() -> int:
    return max(1, -(-_limits()[2] // 60))
