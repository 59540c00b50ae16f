"""Claim mapping: the identity key, the e-mail and whether the provider vouches for it, and
the name."""

import pytest

from portal.sso.claims import email_is_verified, identity_from_claims, names

ISSUER = "https://login.microsoftonline.com/tenant/v2.0"


def test_the_identity_is_issuer_and_subject_with_email_and_names():
    identity = identity_from_claims(
        {"sub": "abc", "email": " kari@hjemby.kommune.no ", "email_verified": True,
         "given_name": "Kari Anne", "family_name": "Nordmann"}, issuer=ISSUER)
    assert (identity.issuer, identity.subject) == (ISSUER, "abc")
    assert identity.email == "kari@hjemby.kommune.no" and identity.email_verified
    assert (identity.first_name, identity.last_name) == ("Kari Anne", "Nordmann")


@pytest.mark.parametrize("claims, verified", [
    ({"email_verified": True}, True),
    ({"email_verified": "true"}, True),
    ({"email_verified": "True"}, True),
    ({"email_verified": False}, False),
    ({"email_verified": "false"}, False),
    ({"email_verified": 1}, False),
    ({}, False),
    # Entra ID: the optional claim xms_edov (email domain owner verified) ...
    ({"xms_edov": True}, True),
    ({"xms_edov": False}, False),
    # ... only where email_verified is absent, never to overrule it.
    ({"email_verified": False, "xms_edov": True}, False),
])
def test_only_an_assertion_by_the_provider_makes_the_email_verified(claims, verified):
    assert email_is_verified(claims) is verified


def test_an_invalid_or_missing_email_is_dropped_and_so_is_its_verification():
    for value in ("ikke en adresse", 42, None, ""):
        identity = identity_from_claims({"sub": "s", "email": value, "email_verified": True},
                                        issuer=ISSUER)
        assert identity.email == "" and identity.email_verified is False


@pytest.mark.parametrize("claims, expected", [
    ({"given_name": "Ola", "family_name": "Nordmann", "name": "ignored"}, ("Ola", "Nordmann")),
    ({"name": "Kari Anne Nordmann"}, ("Kari Anne", "Nordmann")),
    ({"name": "  Kari   Nordmann "}, ("Kari", "Nordmann")),
    ({"name": "Kari"}, ("Kari", "")),
    ({"family_name": "Nordmann"}, ("", "Nordmann")),
    ({"name": ["not", "a", "string"]}, ("", "")),
    ({}, ("", "")),
    ({"given_name": "x" * 400}, ("x" * 150, "")),
])
def test_names_from_given_and_family_name_else_split_name(claims, expected):
    assert names(claims) == expected
