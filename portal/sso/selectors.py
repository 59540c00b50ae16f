"""Reads for single sign-on."""

from __future__ import annotations

from portal.models import Membership, User
from portal.sso.config import ProviderConfig, provider_list


def password_login_allowed(user: User) -> bool:
    """May this user log in with a password? Not when every organisation they belong to has
    turned password login off. Superusers always may (break-glass access when the identity
    provider is down), and so may users without any organisation (analysts)."""
    if user.is_superuser:
        return True
    flags = list(Membership.objects.filter(user=user)
                 .values_list("organisation__password_login_allowed", flat=True))
    return not flags or any(flags)


def organisation_providers(org_number: str) -> list[ProviderConfig]:
    """The organisation's providers, usable or not (the admin page shows why not)."""
    return [p for p in provider_list() if p.organisation == org_number]
