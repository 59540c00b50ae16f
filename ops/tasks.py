from celery import shared_task
from django.utils import timezone

BEAT = "beat"


@shared_task
def beat_heartbeat() -> str:
    """Scheduled by beat every minute: leaves the time it ran (ops.models.Heartbeat)."""
    from ops.models import Heartbeat

    now = timezone.now()
    Heartbeat.objects.update_or_create(name=BEAT, defaults={"at": now})
    return now.isoformat()
