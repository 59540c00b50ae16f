"""The SSO_PROVIDERS setting: strict parsing (a mistake stops the start, naming entry and
field), and the registry that joins it with the admin's rows."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.sso.config import (
    DEFAULT_SCOPES,
    parse_providers,
    provider_get,
    provider_list,
    providers_offered,
)
from portal.sso.models import IdentityProvider
from tests.factories import OrganisationFactory
from tests.portal.test_deploy_settings import PRODUCTION_ENV, run_manage

ENTRA = {"slug": "tynset", "organisation": "964948798",
         "issuer": "https://login.microsoftonline.com/0b6c4d4e-0000-4000-8000-000000000001/v2.0",
         "client_id": "5f0c1c8e-aaaa-4bbb-8ccc-000000000002",
         "client_secret_env": "SSO_TYNSET_SECRET"}


def parse(*items) -> tuple:
    return parse_providers(json.dumps(list(items)))


def test_an_unset_or_empty_setting_means_no_providers():
    assert parse_providers("") == ()
    assert parse_providers("  ") == ()
    assert parse_providers("[]") == ()


def test_a_provider_is_read_with_its_defaults():
    (provider,) = parse(ENTRA)
    assert provider.slug == "tynset" and provider.organisation == "964948798"
    assert provider.issuer == ENTRA["issuer"] and provider.client_id == ENTRA["client_id"]
    assert provider.client_secret_env == "SSO_TYNSET_SECRET"
    assert provider.scopes == DEFAULT_SCOPES and provider.auto_membership is True
    assert provider.source == "settings"


def test_scopes_as_a_string_or_a_list_and_auto_membership_off():
    (a,) = parse({**ENTRA, "scopes": "openid  email"})
    (b,) = parse({**ENTRA, "scopes": ["openid", "profile", "openid"],
                  "auto_membership": False})
    assert a.scopes == ("openid", "email")
    assert b.scopes == ("openid", "profile") and b.auto_membership is False


def test_the_secret_is_read_from_the_named_variable_when_needed(monkeypatch):
    (provider,) = parse(ENTRA)
    monkeypatch.delenv("SSO_TYNSET_SECRET", raising=False)
    assert provider.client_secret() is None
    monkeypatch.setenv("SSO_TYNSET_SECRET", "hemmelig")
    assert provider.client_secret() == "hemmelig"


@pytest.mark.parametrize("raw, message", [
    ("{", "not valid JSON"),
    ('{"slug": "x"}', "must be a JSON list"),
    ('["tynset"]', "SSO_PROVIDERS[0] must be a JSON object"),
    (json.dumps([{**ENTRA, "tenant": "x"}]), "unknown field(s) tenant"),
    (json.dumps([{k: v for k, v in ENTRA.items() if k != "issuer"}]),
     "SSO_PROVIDERS[0]: missing issuer"),
    (json.dumps([{**ENTRA, "slug": "Tynset Kommune"}]), "SSO_PROVIDERS[0].slug"),
    (json.dumps([{**ENTRA, "organisation": "96494879"}]), "9-digit organisation number"),
    (json.dumps([{**ENTRA, "client_secret_env": "xX9-superhemmelig"}]),
     "must name an environment variable"),
    (json.dumps([{**ENTRA, "issuer": "http://login.microsoftonline.com/t/v2.0"}]),
     "SSO_PROVIDERS[0].issuer must be an https URL"),
    (json.dumps([{**ENTRA, "issuer": "https://idp.example.no/?tenant=1"}]),
     "must not have a query"),
    (json.dumps([{**ENTRA, "scopes": "email profile"}]),
     "SSO_PROVIDERS[0].scopes: scopes must include 'openid'"),
    (json.dumps([{**ENTRA, "auto_membership": "yes"}]), "auto_membership must be true or false"),
    (json.dumps([{**ENTRA, "client_id": 12}]), "client_id must be a string"),
    (json.dumps([ENTRA, {**ENTRA, "organisation": "938587051"}]), "slug used twice: tynset"),
])
def test_mistakes_are_refused_with_the_entry_and_field(raw, message):
    with pytest.raises(ImproperlyConfigured) as error:
        parse_providers(raw)
    assert message in str(error.value)


def test_plain_http_is_allowed_on_loopback_only():
    (provider,) = parse({**ENTRA, "issuer": "http://127.0.0.1:8080/openid"})
    assert provider.issuer == "http://127.0.0.1:8080/openid"
    with pytest.raises(ImproperlyConfigured):
        parse({**ENTRA, "issuer": "http://10.0.0.1/openid"})


def test_the_site_refuses_to_start_with_a_broken_setting():
    result = run_manage("check", env_overrides={
        **PRODUCTION_ENV, "SSO_PROVIDERS": json.dumps([{**ENTRA, "scopes": "email"}])})
    assert result.returncode != 0
    assert "SSO_PROVIDERS[0].scopes: scopes must include 'openid'" in result.stderr


def test_check_reports_a_provider_whose_secret_variable_is_unset():
    env = {**PRODUCTION_ENV, "SSO_PROVIDERS": json.dumps([ENTRA])}
    result = run_manage("check", env_overrides=env)
    assert result.returncode == 0
    assert "sso.W001" in result.stderr + result.stdout
    assert "SSO_TYNSET_SECRET is not set" in result.stderr + result.stdout
    result = run_manage("check", env_overrides={**env, "SSO_TYNSET_SECRET": "s"})
    assert "sso.W001" not in result.stderr + result.stdout


@pytest.mark.django_db
def test_settings_providers_come_first_and_win_a_slug_clash(settings, monkeypatch):
    tynset = OrganisationFactory(name="Tynset kommune", org_number="964948798")
    roros = OrganisationFactory(name="Røros kommune", org_number="939676863")
    settings.SSO_PROVIDERS = parse(ENTRA)
    IdentityProvider.objects.create(organisation=roros, slug="tynset", issuer=ENTRA["issuer"],
                                    client_id="other", client_secret_env="SSO_OTHER")
    IdentityProvider.objects.create(organisation=roros, slug="roros",
                                    issuer="https://idp.roros.no", client_id="roros",
                                    client_secret_env="SSO_ROROS_SECRET")
    IdentityProvider.objects.create(organisation=roros, slug="gammel", is_active=False,
                                    issuer="https://idp.roros.no", client_id="old",
                                    client_secret_env="SSO_ROROS_SECRET")
    assert [(p.slug, p.source) for p in provider_list()] == [("tynset", "settings"),
                                                            ("roros", "database")]
    assert provider_get("tynset").client_id == ENTRA["client_id"]
    assert provider_get("gammel") is None
    # Offered on the login page: only those whose secret is set, named by the organisation.
    monkeypatch.setenv("SSO_ROROS_SECRET", "s")
    monkeypatch.delenv("SSO_TYNSET_SECRET", raising=False)
    assert [(p.slug, label) for p, label in providers_offered()] == [("roros", "Røros kommune")]
    monkeypatch.setenv("SSO_TYNSET_SECRET", "s")
    assert [label for _p, label in providers_offered()] == ["Røros kommune", "Tynset kommune"]
    assert tynset.name == "Tynset kommune"
