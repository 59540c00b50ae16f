import functools

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from portal import login_throttle
from portal.forms import AdminLoginForm
from portal.models import (
    ApiToken,
    ConsumerQueueItem,
    Membership,
    Network,
    Organisation,
    OrganisationAttributes,
    OrganisationEvent,
    OrganisationStatement,
    PendingTask,
    SecurityEvent,
    Unit,
    User,
)
from portal.sso.admin import ExternalIdentityInline

# The admin's own login form counts towards (and obeys) the same login throttle, and a
# refused attempt answers 429 with Retry-After as on the site's login page. AdminSite.login
# builds Django's LoginView itself, so its answer is marked on the way out.
admin.site.login_form = AdminLoginForm


def _throttled(login):
    @functools.wraps(login)
    def view(request, extra_context=None):
        return login_throttle.mark_response(request, login(request, extra_context))

    return view


admin.site.login = _throttled(admin.site.login)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Logs are read in the admin, never written: no add, change or delete, superusers
    included (tests/portal/test_audit.py checks every log model registered in the admin).
    Also no deleting an object whose deletion would take log rows with it."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# The audit trail (django-auditlog), read-only: its own admin lets a superuser delete rows.
admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class AuditLogEntryAdmin(ReadOnlyAdmin, LogEntryAdmin):
    pass


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("Innoportal", {"fields": ["is_national_analyst",
                                                                  "language"]}),)
    list_display = ["username", "email", "first_name", "last_name", "is_national_analyst"]
    inlines = [ExternalIdentityInline]


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0


class OrganisationAttributesInline(admin.TabularInline):
    """The dated county and population (docs/domain.md "Organisations and people"): saving the
    organisation dates a change of its own fields today; a past value is entered here."""

    model = OrganisationAttributes
    extra = 0
    fields = ["valid_from", "county", "population"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "org_number", "kind", "county", "municipality_number",
                    "county_number", "population", "size_class"]
    list_filter = ["kind", "county", "size_class"]
    search_fields = ["name", "org_number", "municipality_number", "county_number"]
    inlines = [UnitInline, OrganisationAttributesInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not OrganisationAttributes:
            return super().save_formset(request, form, formset, change)
        # Saving the organisation may just have dated its values today: a row entered here
        # for the same day takes that row's place instead of colliding with it.
        rows = formset.save(commit=False)
        for row in formset.deleted_objects:
            row.delete()
        for row in rows:
            same_day = (OrganisationAttributes.objects
                        .filter(organisation=row.organisation, valid_from=row.valid_from)
                        .exclude(pk=row.pk).values_list("pk", flat=True).first())
            if same_day is not None:
                row.pk = same_day
            row.save()
        return None


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    filter_horizontal = ["organisations", "analysts"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "unit"]
    list_filter = ["role", "organisation"]
    raw_id_fields = ["user", "unit"]


@admin.register(OrganisationEvent)
class OrganisationEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "organisation", "kind", "actor"]
    list_filter = ["kind"]
    readonly_fields = ["organisation", "actor", "kind", "data", "created_at"]


@admin.register(OrganisationStatement)
class OrganisationStatementAdmin(admin.ModelAdmin):
    list_display = ["organisation", "kind", "updated_at", "updated_by"]
    list_filter = ["kind"]
    raw_id_fields = ["organisation", "updated_by"]
    readonly_fields = ["updated_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["key_hash", "prefix"]


@admin.register(PendingTask)
class PendingTaskAdmin(ReadOnlyAdmin):
    """The Celery outbox, read-only: what waits for Redis (publish with manage.py outbox_flush)."""

    list_display = ["task_name", "created_at", "attempts", "last_attempt_at", "last_error"]
    readonly_fields = ["task_name", "args", "kwargs", "options", "created_at", "attempts",
                       "last_attempt_at", "last_error"]


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    """The security log (portal.security), read-only: failed logins, refused attempts and
    lockouts. Search a user name by its hash (portal.security.username_hash)."""

    list_display = ["created_at", "kind", "user", "address", "path"]
    list_filter = ["kind"]
    search_fields = ["address", "username_hash", "user__username"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "kind", "user", "username_hash", "address", "path", "data"]


@admin.register(ConsumerQueueItem)
class ConsumerQueueItemAdmin(ReadOnlyAdmin):
    """Rows waiting for a consumer (portal.consumers), read-only: failures show their error
    and are retried; `manage.py consumers_run` runs the consumers now."""

    list_display = ["consumer", "row_id", "created_at", "attempts", "retry_at", "last_error"]
    list_filter = ["consumer"]
    readonly_fields = ["consumer", "row_id", "created_at", "claim_token", "claimed_until",
                       "attempts", "retry_at", "last_error"]
