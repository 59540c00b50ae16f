"""Security events: one function, `security_event`, writes every failed login, refused
attempt and lockout as a structured log line on the `innoportal.security` logger and as a
`SecurityEvent` row (the admin shows them; issue 17's audit page will too).

Never a password or a token, and never the user name as typed (people type passwords into
the user-name field): the row has the account when the name is one, and a keyed hash of the
name, which an administrator can compute for a name to find its events (`username_hash`)."""

from __future__ import annotations

import json
import logging

from django.http import HttpRequest
from django.utils.crypto import salted_hmac

log = logging.getLogger("innoportal.security")

_HASH_SALT = "innoportal.security.username"


def username_hash(username: str | None) -> str:
    """A keyed hash of a typed user name (trimmed, case-folded); "" for none."""
    if not username:
        return ""
    return salted_hmac(_HASH_SALT, username.strip().lower(), algorithm="sha256").hexdigest()


def security_event(kind: str, *, request: HttpRequest | None = None, address: str = "",
                   username: str | None = None, user=None, data: dict | None = None):
    """Record one security event: a row and a log line with the same fields."""
    from portal.login_throttle import client_address
    from portal.models import SecurityEvent, User

    if user is None and username:
        user = User.objects.filter(username=username.strip()).first()
    event = SecurityEvent.objects.create(
        kind=kind, user=user, username_hash=username_hash(username),
        address=address or client_address(request),
        path=(request.path[:200] if request is not None else ""), data=dict(data or {}))
    log.warning("security_event %s", json.dumps({
        "kind": event.kind, "user_id": event.user_id, "username_hash": event.username_hash,
        "address": event.address, "path": event.path, "data": event.data,
        "at": event.created_at.isoformat()}, ensure_ascii=False, sort_keys=True))
    return event
