from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: /metrics, /healthz/full, beat's heartbeat, backup and restore.

    Sits at the top of the layers (beside the composition root): it reads the outbox of
    `portal` and the indicator jobs and marks of the indicator engine, and nothing imports it."""

    name = "ops"
    verbose_name = "Drift"
    default_auto_field = "django.db.models.BigAutoField"
