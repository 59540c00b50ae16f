"""From a provider's claims to the identity the portal keys users on (issuer + subject), and
the e-mail and name it copies to the account. Pure functions: tested with plain dicts."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

NAME_MAX = 150  # django.contrib.auth's first_name/last_name


@dataclass(frozen=True)
class Identity:
    issuer: str
    subject: str
    email: str = ""
    # True only when the provider asserts the address is verified (see email_is_verified).
    email_verified: bool = False
    first_name: str = ""
    last_name: str = ""


def _true(value: object) -> bool:
    # Booleans per the specification; some providers send the strings "true"/"false".
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def email_is_verified(claims: dict) -> bool:
    """`email_verified: true` (OpenID Connect Core §5.1). Microsoft Entra ID never sends that
    claim; it sends `xms_edov: true` (an optional claim: "email domain owner verified") when
    the address is in a domain the tenant has proved it owns. That is taken as the same
    assertion, but only when `email_verified` is absent, never to overrule a `false`."""
    if "email_verified" in claims:
        return _true(claims["email_verified"])
    return _true(claims.get("xms_edov"))


def clean_email(value: object) -> str:
    if not isinstance(value, str):
        return ""
    value = value.strip()
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value


def _text(value: object) -> str:
    return " ".join(value.split())[:NAME_MAX] if isinstance(value, str) else ""


def names(claims: dict) -> tuple[str, str]:
    """(first name, last name): given_name and family_name, else `name` split before its last
    word (Norwegian names: «Kari Anne Nordmann» -> «Kari Anne», «Nordmann»)."""
    first, last = _text(claims.get("given_name")), _text(claims.get("family_name"))
    if first or last:
        return first, last
    full = _text(claims.get("name"))
    if " " in full:
        head, _sep, tail = full.rpartition(" ")
        return head, tail
    return full, ""


def identity_from_claims(claims: dict, *, issuer: str) -> Identity:
    """The identity in verified claims. `issuer` is the verified `iss`; `sub` was checked
    by portal.sso.tokens."""
    email = clean_email(claims.get("email"))
    first, last = names(claims)
    return Identity(issuer=issuer, subject=claims["sub"], email=email,
                    email_verified=bool(email) and email_is_verified(claims),
                    first_name=first, last_name=last)
