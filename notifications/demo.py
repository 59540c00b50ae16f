"""Demo notices: loading the other apps' demo content wrote notices through their services
(status changes, gate decisions, plan approvals). They stay unread in the demo users'
centres, but loading the demo sends no e-mail: they count as e-mailed already."""

from notifications.models import Notification
from notifications.services import notifications_mark_emailed
from portal.models import User

DEMO_USERS = ("ansatt", "koordinator", "prosjektleder", "leder", "admin", "nabo")


def load(*, home, neighbour, stdout) -> None:
    users = list(User.objects.filter(username__in=DEMO_USERS).values_list("pk", flat=True))
    quieted = notifications_mark_emailed(user_ids=users)
    total = Notification.objects.filter(user_id__in=users).count()
    stdout.write(f"notifications: {total} demo notices ({quieted} kept from e-mail).")
