"""Demo notices: loading the other apps' demo content wrote events through their services
(status changes, gate decisions, plan approvals), which became notices once consumed. They
stay unread in the demo users' centres, but demo history is not news: loading the demo sends
no e-mail, so they count as e-mailed already. Ordinary status changes are not affected."""

from notifications.models import Notification
from notifications.services import notifications_last_id, notifications_mark_emailed


def last_notice_id() -> int:
    """Where the demo's notices will start (taken before loading)."""
    return notifications_last_id()


def load(*, after: int, stdout) -> None:
    """After the demo content is loaded and its events consumed: the notices written since
    `after` count as e-mailed (no sender, immediate or digest, mails them)."""
    quieted = notifications_mark_emailed(after=after)
    total = Notification.objects.filter(pk__gt=after).count()
    stdout.write(f"notifications: {total} demo notices ({quieted} kept from e-mail).")
