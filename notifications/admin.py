from django.contrib import admin

from notifications.models import Notification, NotificationPreference
from portal.admin import ReadOnlyAdmin


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """A person's notices, read-only: written by the consumers, read and dismissed by their
    owner (not audited, so not changed here)."""

    list_display = ("user", "kind", "created_at", "read_at", "emailed_at")
    list_filter = ("kind",)
    raw_id_fields = ("user", "idea", "project", "benefit", "idea_event", "project_event",
                     "benefit_event")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "email_frequency", "updated_at")
    raw_id_fields = ("user",)
