"""The indicator engine's view for operators: the dirty marks, and above all the failed ones.

A mark whose recompute fails keeps its error and is retried with a growing delay
(indicators.services.indicators_drain_dirty); this list shows them (filter «feilet»), and
«Prøv igjen nå» makes the selected marks due at once. Nothing else is written here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from initiatives.models import IndicatorDirty


class FailedFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "failed"

    def lookups(self, request, model_admin):
        return [("yes", _("feilet")), ("no", _("venter"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(attempts__gt=0)
        if self.value() == "no":
            return queryset.filter(attempts=0)
        return queryset


@admin.register(IndicatorDirty)
class IndicatorDirtyAdmin(admin.ModelAdmin):
    list_display = ["organisation", "year", "quarter", "marked_at", "attempts", "failed_at",
                    "retry_at", "last_error"]
    list_filter = [FailedFilter, "year"]
    list_select_related = ["organisation"]
    ordering = ["-attempts", "marked_at"]
    readonly_fields = list_display
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # A mark is the drain's work list, too frequent to audit: nobody deletes one by hand
        # (a failing one is retried and shown until its cause is fixed).
        return False

    @admin.action(description=_("Prøv igjen nå"), permissions=["view"])
    def retry_now(self, request, queryset):
        count = queryset.update(retry_at=None)
        self.message_user(request, ngettext("%(count)s markering beregnes ved neste kjøring.",
                                           "%(count)s markeringer beregnes ved neste kjøring.",
                                           count) % {"count": count})
