from django.apps import AppConfig


class GevinstConfig(AppConfig):
    name = "gevinst"

    def ready(self) -> None:
        from gevinst.indicators.services import DEBOUNCE_SECONDS, indicators_drain_dirty
        from initiatives.marks import INDICATOR_MARKS
        from portal.consumers import consumer_register

        # The indicator engine recomputes what the spine's dirty marks name, after the
        # writer's commit (debounced with Redis; at once without).
        consumer_register("indicators.recompute", topic=INDICATOR_MARKS,
                          drain=indicators_drain_dirty, debounce_seconds=DEBOUNCE_SECONDS)
