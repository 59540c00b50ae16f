"""Read-only views for operators: every write goes through gevinst.services (events, history,
indicator marks), never through the admin."""

from django.contrib import admin

from gevinst.models import Benefit, BenefitEvent, BenefitPlan, BenefitReminder


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Benefit)
class BenefitAdmin(ReadOnlyAdmin):
    list_display = ["title", "project", "type", "dimension", "owner", "status"]
    list_filter = ["type", "dimension", "status"]
    search_fields = ["title", "key"]


@admin.register(BenefitPlan)
class BenefitPlanAdmin(ReadOnlyAdmin):
    list_display = ["project", "status", "interval_months", "first_due_on", "approved_by"]
    list_filter = ["status"]


@admin.register(BenefitEvent)
class BenefitEventAdmin(ReadOnlyAdmin):
    list_display = ["project", "benefit", "kind", "actor", "created_at"]
    list_filter = ["kind"]


@admin.register(BenefitReminder)
class BenefitReminderAdmin(ReadOnlyAdmin):
    list_display = ["benefit", "user", "due_on", "emailed_at", "done_at"]
