"""The unsubscribe link's token: the user id, signed with the site's secret key and a salt of
its own, so it works without login, cannot be forged, and a token made for anything else
(another salt) or for another user does not unsubscribe this one."""

from __future__ import annotations

from django.core import signing

from portal.models import User

SALT = "innoportal.notifications.unsubscribe"


def unsubscribe_token(user: User) -> str:
    return signing.dumps({"u": user.pk}, salt=SALT)


def user_for_token(token: str) -> User | None:
    """The user the token was made for, or None if it is not a valid token."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    pk = data.get("u") if isinstance(data, dict) else None
    if not isinstance(pk, int):
        return None
    return User.objects.filter(pk=pk).first()
