from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"

    def ready(self) -> None:
        from portal.consumers import consumer_register
        from portal.events import DEFAULTS_NEEDED, ORGANISATION_EVENTS
        from projects.services.checklists import checklists_seed_for_event

        # A new organisation (or its first member) gets the default gate checklists on that
        # write, never on a page view.
        consumer_register("projects.default_checklists", topic=ORGANISATION_EVENTS,
                          handle=checklists_seed_for_event, kinds=DEFAULTS_NEEDED)
