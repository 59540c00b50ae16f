"""Copy the idea notices of the old ideas.FollowerNotification into Notification (same user,
event, times and e-mail state), so nobody loses an unread notice or gets a mail twice."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def copy(apps, schema_editor):
    Old = apps.get_model("ideas", "FollowerNotification")
    Notification = apps.get_model("notifications", "Notification")
    batch = []
    for old in Old.objects.select_related("event").order_by("pk").iterator(chunk_size=2000):
        batch.append(Notification(user_id=old.user_id, kind=old.event.kind, idea_id=old.idea_id,
                                  idea_event_id=old.event_id, read_at=old.read_at,
                                  emailed_at=old.emailed_at))
        if len(batch) >= 2000:
            _flush(Notification, batch)
    _flush(Notification, batch)
    # auto_now_add stamped the copies with today; give them back their own time.
    Notification.objects.filter(idea_event__isnull=False).update(created_at=Subquery(
        Old.objects.filter(user_id=OuterRef("user_id"), event_id=OuterRef("idea_event_id"))
        .values("created_at")[:1]))


def _flush(Notification, batch):
    created = Notification.objects.bulk_create(batch, ignore_conflicts=True)
    batch.clear()
    return created


def copy_back(apps, schema_editor):
    Old = apps.get_model("ideas", "FollowerNotification")
    Notification = apps.get_model("notifications", "Notification")
    rows = Notification.objects.filter(idea_event__isnull=False, idea__isnull=False)
    Old.objects.bulk_create(
        [Old(user_id=n.user_id, idea_id=n.idea_id, event_id=n.idea_event_id, read_at=n.read_at,
             emailed_at=n.emailed_at) for n in rows.iterator(chunk_size=2000)],
        ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ("ideas", "0003_engagement_evaluation"),
        ("notifications", "0001_initial"),
    ]

    operations = [migrations.RunPython(copy, copy_back)]
