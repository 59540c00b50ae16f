from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self) -> None:
        from gevinst.events import BENEFIT_EVENTS
        from ideas.events import IDEA_EVENTS
        from notifications import recipients, services
        from portal.consumers import consumer_register
        from projects.events import PROJECT_EVENTS

        # The events that give notices, read after the writer's commit (portal.consumers).
        consumer_register("notifications.idea_events", topic=IDEA_EVENTS,
                          handle=services.notices_for_idea_event, kinds=recipients.IDEA_KINDS)
        consumer_register("notifications.project_events", topic=PROJECT_EVENTS,
                          handle=services.notices_for_project_event,
                          kinds=recipients.PROJECT_KINDS)
        consumer_register("notifications.benefit_events", topic=BENEFIT_EVENTS,
                          handle=services.notices_for_benefit_event,
                          kinds=recipients.BENEFIT_KINDS)
