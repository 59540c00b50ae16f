from django.apps import AppConfig


class IdeasConfig(AppConfig):
    name = "ideas"

    def ready(self) -> None:
        from ideas.exports import PROJECT_EXPORT_COLUMNS
        from ideas.services.evaluation import SEED_KINDS, criteria_seed_for_event
        from portal.consumers import consumer_register
        from portal.events import ORGANISATION_EVENTS
        from projects.extensions import project_export_columns_register

        # The project export names the idea a project came from (never its submitter).
        project_export_columns_register(PROJECT_EXPORT_COLUMNS)
        # A new organisation (or its first member) gets the default evaluation criteria on
        # that write, never on a page view.
        consumer_register("ideas.default_criteria", topic=ORGANISATION_EVENTS,
                          handle=criteria_seed_for_event, kinds=SEED_KINDS)
