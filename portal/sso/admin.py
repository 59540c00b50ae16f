"""The admin's identity providers and external identities (registered by portal/admin.py)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.sso.models import ExternalIdentity, IdentityProvider


@admin.register(IdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin):
    list_display = ["slug", "organisation", "issuer", "client_id", "client_secret_env",
                    "secret_is_set", "auto_membership", "is_active"]
    list_filter = ["is_active", "auto_membership"]
    search_fields = ["slug", "organisation__name", "issuer", "client_id"]
    autocomplete_fields = ["organisation"]

    @admin.display(boolean=True, description=_("hemmelighet satt"))
    def secret_is_set(self, obj: IdentityProvider) -> bool:
        return bool(obj.as_config().client_secret())


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    """Deleting a row lets the person's next login link by verified e-mail or create a new
    account (e.g. after a municipality moved to a new tenant); adding one links by hand."""

    list_display = ["user", "issuer", "subject", "provider_slug", "created_at", "last_login_at"]
    list_filter = ["provider_slug"]
    search_fields = ["user__username", "user__email", "subject", "issuer"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at", "last_login_at"]


class ExternalIdentityInline(admin.TabularInline):
    model = ExternalIdentity
    extra = 0
    fields = ["issuer", "subject", "provider_slug", "created_at", "last_login_at"]
    readonly_fields = ["created_at", "last_login_at"]
