from django.apps import AppConfig


class IdeasConfig(AppConfig):
    name = "ideas"

    def ready(self) -> None:
        from ideas.exports import PROJECT_EXPORT_COLUMNS
        from ideas.selectors import project_origin_panel, project_origin_reads
        from ideas.services.evaluation import criteria_seed_for_event
        from portal.consumers import consumer_register
        from portal.events import DEFAULTS_NEEDED, ORGANISATION_EVENTS
        from projects.extensions import (
            ProjectPanel,
            project_export_columns_register,
            project_panel_register,
        )

        # The project export names the idea a project came from (never its submitter).
        project_export_columns_register(PROJECT_EXPORT_COLUMNS)
        # The project page links back to the idea it came from, for those who may read it.
        project_panel_register(ProjectPanel(name="ideas.origin",
                                            template="ideas/_project_origin.html",
                                            context=project_origin_panel,
                                            reads=project_origin_reads))
        # A new organisation (or its first member) gets the default evaluation criteria on
        # that write, never on a page view.
        consumer_register("ideas.default_criteria", topic=ORGANISATION_EVENTS,
                          handle=criteria_seed_for_event, kinds=DEFAULTS_NEEDED)
