"""The identity providers: one per organisation, from the SSO_PROVIDERS setting (JSON, parsed
strictly when the settings load) or from rows an operator adds in the Django admin.

A provider's client secret is never stored: the configuration names the environment variable
that holds it (`client_secret_env`), read when a login needs it. A provider whose variable is
unset, or whose organisation does not exist, is not offered on the login page and is reported
by `manage.py check` (portal.sso.checks).
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$")
ENV_NAME_RE = re.compile(r"^[A-Z_][A-Z0-9_]{0,99}$")
ORG_NUMBER_RE = re.compile(r"^\d{9}$")
DEFAULT_SCOPES = ("openid", "email", "profile")
FIELDS = {"slug", "name", "organisation", "issuer", "client_id", "client_secret_env", "scopes",
          "auto_membership"}
REQUIRED = ("slug", "organisation", "issuer", "client_id", "client_secret_env")


@dataclass(frozen=True)
class ProviderConfig:
    slug: str
    organisation: str  # the organisation number the provider's users belong to
    issuer: str
    client_id: str
    client_secret_env: str
    name: str = ""
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    # Give a user a membership (role employee) in the organisation on their first login. Off
    # for providers that prove who someone is but not that they work here (ID-porten).
    auto_membership: bool = True
    source: str = field(default="settings", compare=False)

    def client_secret(self) -> str | None:
        return os.environ.get(self.client_secret_env) or None


def is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def check_url(value: str, *, what: str) -> str:
    """An https URL (http only on loopback, for development and the test provider)."""
    try:
        parts = urlsplit(value)
    except ValueError as error:
        raise ValueError(f"{what} is not a URL: {value!r}") from error
    if parts.scheme == "https" and parts.hostname:
        pass
    elif parts.scheme == "http" and is_loopback(parts.hostname):
        pass
    else:
        raise ValueError(f"{what} must be an https URL (http only on loopback): {value!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"{what} must not have a query or fragment: {value!r}")
    return value


def check_scopes(value) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, list | tuple) or not all(isinstance(s, str) and s for s in value):
        raise ValueError("scopes must be a list of strings or a space-separated string")
    scopes = tuple(dict.fromkeys(s.strip() for s in value if s.strip()))
    if "openid" not in scopes:
        raise ValueError("scopes must include 'openid'")
    if any(not re.fullmatch(r"[\x21\x23-\x5b\x5d-\x7e]+", s) for s in scopes):
        raise ValueError(f"scopes contain an invalid character: {' '.join(scopes)!r}")
    return scopes


def provider_from_mapping(item: object, *, where: str = "provider") -> ProviderConfig:
    """One provider from its JSON object, or ValueError naming the field."""
    if not isinstance(item, dict):
        raise ValueError(f"{where} must be a JSON object")
    unknown = sorted(set(item) - FIELDS)
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {', '.join(unknown)} "
                         f"(known: {', '.join(sorted(FIELDS))})")
    missing = [name for name in REQUIRED if not item.get(name)]
    if missing:
        raise ValueError(f"{where}: missing {', '.join(missing)}")
    for name in REQUIRED + ("name",):
        if name in item and not isinstance(item[name], str):
            raise ValueError(f"{where}.{name} must be a string")
    slug = item["slug"]
    if not SLUG_RE.match(slug):
        raise ValueError(f"{where}.slug must be 1-50 lowercase letters, digits or hyphens: "
                         f"{slug!r}")
    if not ORG_NUMBER_RE.match(item["organisation"]):
        raise ValueError(f"{where}.organisation must be a 9-digit organisation number: "
                         f"{item['organisation']!r}")
    if not ENV_NAME_RE.match(item["client_secret_env"]):
        raise ValueError(f"{where}.client_secret_env must name an environment variable "
                         f"(A-Z, 0-9, _), not hold the secret itself")
    auto_membership = item.get("auto_membership", True)
    if not isinstance(auto_membership, bool):
        raise ValueError(f"{where}.auto_membership must be true or false")
    issuer = check_url(item["issuer"], what=f"{where}.issuer")
    try:
        scopes = check_scopes(item.get("scopes", list(DEFAULT_SCOPES)))
    except ValueError as error:
        raise ValueError(f"{where}.scopes: {error}") from error
    return ProviderConfig(slug=slug, organisation=item["organisation"], issuer=issuer,
                          client_id=item["client_id"].strip(),
                          client_secret_env=item["client_secret_env"],
                          name=item.get("name", "").strip(), scopes=scopes,
                          auto_membership=auto_membership, source="settings")


def parse_providers(raw: str) -> tuple[ProviderConfig, ...]:
    """The SSO_PROVIDERS setting: a JSON list of provider objects. Empty means none. Any
    mistake stops the start with ImproperlyConfigured naming the entry and the field."""
    if not raw.strip():
        return ()
    try:
        items = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ImproperlyConfigured(f"SSO_PROVIDERS is not valid JSON: {error}") from error
    if not isinstance(items, list):
        raise ImproperlyConfigured("SSO_PROVIDERS must be a JSON list of provider objects")
    providers = []
    try:
        for index, item in enumerate(items):
            providers.append(provider_from_mapping(item, where=f"SSO_PROVIDERS[{index}]"))
    except ValueError as error:
        raise ImproperlyConfigured(str(error)) from error
    slugs = [p.slug for p in providers]
    duplicates = sorted({s for s in slugs if slugs.count(s) > 1})
    if duplicates:
        raise ImproperlyConfigured(f"SSO_PROVIDERS: slug used twice: {', '.join(duplicates)}")
    return tuple(providers)


# --- the registry: settings first, then the admin's rows --------------------------------------

def provider_list() -> list[ProviderConfig]:
    """Every configured provider: those from settings, then the active rows of the admin whose
    slug settings do not already use (settings win; the check reports the clash)."""
    from django.conf import settings

    from portal.sso.models import IdentityProvider

    providers = list(settings.SSO_PROVIDERS)
    taken = {p.slug for p in providers}
    for row in IdentityProvider.objects.filter(is_active=True).select_related("organisation"):
        if row.slug not in taken:
            providers.append(row.as_config())
    return providers


def provider_get(slug: str) -> ProviderConfig | None:
    return next((p for p in provider_list() if p.slug == slug), None)


def providers_offered() -> list[tuple[ProviderConfig, str]]:
    """(provider, label) for the login page: the providers that can be used now (the secret's
    variable is set and the organisation exists), labelled with the organisation's name."""
    from portal.models import Organisation

    providers = [p for p in provider_list() if p.client_secret()]
    names = dict(Organisation.objects.filter(org_number__in={p.organisation for p in providers})
                 .values_list("org_number", "name"))
    offered = [(p, p.name or names[p.organisation]) for p in providers if p.organisation in names]
    return sorted(offered, key=lambda pair: pair[1].lower())
