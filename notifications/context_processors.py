from functools import cached_property

from notifications.selectors import unread_count


class LazyCount:
    """An int computed on first use: the badge's one query runs only when a page renders
    the header (not for redirects, JSON or pages without it), and only once."""

    def __init__(self, compute):
        self._compute = compute

    @cached_property
    def value(self) -> int:
        return self._compute()

    def __int__(self) -> int:
        return self.value

    def __bool__(self) -> bool:
        return bool(self.value)

    def __str__(self) -> str:
        return str(self.value)

    def __eq__(self, other) -> bool:
        return self.value == (other.value if isinstance(other, LazyCount) else other)

    def __hash__(self) -> int:
        return hash(self.value)


def unread_notifications(request) -> dict:
    """The header badge: the user's unread notices (one query, on first use)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": LazyCount(lambda: unread_count(user))}
