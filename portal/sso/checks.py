"""`manage.py check` reports providers from SSO_PROVIDERS whose secret's environment variable
is unset (they are not offered on the login page); `manage.py check --database default` also
checks their organisations and the admin's rows."""

from django.core.checks import Tags, Warning, register


def _secret_warnings(providers) -> list:
    return [Warning(f"Identity provider {p.slug!r}: the environment variable "
                    f"{p.client_secret_env} is not set, so it is not offered on the login page.",
                    id="sso.W001")
            for p in providers if not p.client_secret()]


@register("sso")
def check_setting_providers(app_configs=None, **kwargs):
    from django.conf import settings

    return _secret_warnings(settings.SSO_PROVIDERS)


@register(Tags.database)
def check_database_providers(app_configs=None, databases=None, **kwargs):
    if not databases:
        return []
    from django.conf import settings
    from django.db import DatabaseError

    from portal.models import Organisation
    from portal.sso.models import IdentityProvider

    providers = list(settings.SSO_PROVIDERS)
    try:
        known = set(Organisation.objects.filter(
            org_number__in={p.organisation for p in providers}).values_list("org_number",
                                                                            flat=True))
        rows = [row.as_config() for row in IdentityProvider.objects.filter(is_active=True)
                .select_related("organisation")]
    except DatabaseError:  # not migrated yet: nothing configured in the database to check
        return []
    problems = [Warning(f"Identity provider {p.slug!r}: no organisation with the number "
                        f"{p.organisation}.", id="sso.W002")
                for p in providers if p.organisation not in known]
    slugs = {p.slug for p in providers}
    problems += [Warning(f"Identity provider {p.slug!r} is in both SSO_PROVIDERS and the admin; "
                         f"the setting is used.", id="sso.W003") for p in rows if p.slug in slugs]
    return problems + _secret_warnings(rows)
