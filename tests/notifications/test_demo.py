"""The demo leaves notices in the demo users' centres, and loading it sends no e-mail (not
even when the digests run afterwards)."""

import io

from django.core.management import call_command

from notifications import tasks
from notifications.models import Notification


def test_demo_users_have_unread_notices_and_no_mail_is_sent(db, mailoutbox):
    call_command("load_demo", stdout=io.StringIO())
    by_user = {}
    for username in Notification.objects.values_list("user__username", flat=True):
        by_user[username] = by_user.get(username, 0) + 1
    assert by_user.get("ansatt", 0) >= 2  # her ideas moved on
    assert by_user.get("prosjektleder", 0) >= 1  # his projects' gate decisions
    assert not Notification.objects.filter(read_at__isnull=False).exists()
    for task in (tasks.notifications_send_immediate, tasks.notifications_send_daily,
                 tasks.notifications_send_weekly):
        task()
    assert mailoutbox == []
    # A second load changes nothing.
    before = Notification.objects.count()
    call_command("load_demo", stdout=io.StringIO())
    assert Notification.objects.count() == before
