from django.db import models


class Heartbeat(models.Model):
    """The last time a periodic process proved it runs (one row per name, overwritten).

    "beat": written by `ops.tasks.beat_heartbeat`, which beat schedules every minute, so
    /healthz/full can tell that beat still sends its schedule. In the database rather than the
    cache: it survives a Redis restart, and the health check already reads the database."""

    name = models.CharField(max_length=50, unique=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.at:%Y-%m-%d %H:%M:%S}"
