from django.contrib import admin

from ideas.models import Campaign, EvaluationCriterion, Idea, IdeaEvent, Tag
from portal.admin import ReadOnlyAdmin


@admin.register(Idea)
class IdeaAdmin(admin.ModelAdmin):
    """Read-mostly: status changes go through the services (events and phase log)."""

    list_display = ["title", "organisation", "status", "created_at"]
    list_filter = ["status", "organisation"]
    search_fields = ["title", "need"]
    readonly_fields = ["status", "initiative", "submitter", "merged_into", "submitted_at"]


@admin.register(IdeaEvent)
class IdeaEventAdmin(ReadOnlyAdmin):
    list_display = ["idea", "kind", "actor", "created_at"]
    list_filter = ["kind"]


admin.site.register(Campaign)
admin.site.register(EvaluationCriterion)
admin.site.register(Tag)
