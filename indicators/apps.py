from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    """The national indicator engine: it reads the spine's dated history (through the
    timeline) and the benefits' measurements, and recomputes what the spine's dirty marks
    name."""

    name = "indicators"
    verbose_name = _("Indikatorer")

    def ready(self) -> None:
        from indicators.services import DEBOUNCE_SECONDS, indicators_drain_dirty
        from initiatives.marks import INDICATOR_MARKS
        from portal.consumers import consumer_register

        # Recompute what the marks name after the writer's commit: at once without Redis,
        # debounced with it (a burst of edits, one recompute).
        consumer_register("indicators.recompute", topic=INDICATOR_MARKS,
                          drain=indicators_drain_dirty, debounce_seconds=DEBOUNCE_SECONDS)
