"""The login page's «Logg inn med kommunens konto», the password refusal for organisations
that turned passwords off, logout, and the organisation admin's login page."""

import pytest
from django.urls import reverse

from portal.models import LoginFailure, OrganisationEvent
from portal.roles import Role
from portal.sso.models import IdentityProvider
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "et-godt-passord-1"


def provider_for(org, slug, monkeypatch, *, secret=True):
    variable = f"SSO_{slug.upper().replace('-', '_')}_SECRET"
    if secret:
        monkeypatch.setenv(variable, "s")
    else:
        monkeypatch.delenv(variable, raising=False)
    return IdentityProvider.objects.create(organisation=org, slug=slug,
                                           issuer=f"https://idp.{slug}.no", client_id="c",
                                           client_secret_env=variable)


def test_without_providers_the_login_page_has_only_the_password_form(client):
    page = client.get(reverse("login")).content.decode()
    assert "Logg inn med kommunens konto" not in page


def test_one_provider_gives_one_button_keeping_next(client, home_org, monkeypatch):
    provider_for(home_org, "hjemby", monkeypatch)
    page = client.get(reverse("login") + "?next=/ideas/").content.decode()
    assert 'href="/accounts/sso/hjemby/login/?next=%2Fideas%2F"' in page
    assert "Logg inn med kommunens konto" in page


def test_an_unsafe_next_is_dropped_from_the_provider_link(client, home_org, monkeypatch):
    provider_for(home_org, "hjemby", monkeypatch)
    page = client.get(reverse("login") + "?next=https://evil.example/").content.decode()
    assert 'href="/accounts/sso/hjemby/login/"' in page


def test_several_providers_are_listed_by_organisation_and_unusable_ones_left_out(
        client, home_org, other_org, monkeypatch):
    provider_for(home_org, "hjemby", monkeypatch)
    provider_for(other_org, "naboby", monkeypatch)
    provider_for(OrganisationFactory(name="Uten hemmelighet"), "uten", monkeypatch, secret=False)
    page = client.get(reverse("login")).content.decode()
    assert page.index("Hjemby kommune") < page.index("Naboby kommune")
    assert "/accounts/sso/uten/login/" not in page


def test_the_start_address_sends_to_the_chosen_provider_and_refuses_others(client, home_org,
                                                                          monkeypatch):
    provider_for(home_org, "hjemby", monkeypatch)
    response = client.get(reverse("sso-start") + "?provider=hjemby&next=/ideas/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/sso/hjemby/login/?next=%2Fideas%2F"
    refused = client.get(reverse("sso-start") + "?provider=ukjent")
    assert refused.status_code == 400
    assert "Velg organisasjonen din" in refused.content.decode()


def test_an_unknown_provider_is_404_and_one_without_secret_502(client, home_org, monkeypatch):
    provider_for(home_org, "hjemby", monkeypatch, secret=False)
    assert client.get("/accounts/sso/ukjent/login/").status_code == 404
    response = client.get("/accounts/sso/hjemby/login/")
    assert response.status_code == 502
    assert "Påloggingstjenesten svarer ikke" in response.content.decode()


# --- password login when the organisation turned it off ------------------------------------

def member(org, username, role=Role.EMPLOYEE, **fields):
    user = MembershipFactory(user=UserFactory(username=username, **fields), organisation=org,
                             role=role).user
    user.set_password(PASSWORD)
    user.save()
    return user


def log_in(client, username):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD})


def test_a_member_of_an_organisation_without_passwords_is_refused_with_a_clear_message(
        client, home_org):
    home_org.password_login_allowed = False
    home_org.save()
    member(home_org, "kari")
    response = log_in(client, "kari")
    assert response.status_code == 200
    assert "Organisasjonen din har slått av innlogging med passord" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The password was right: not counted as a failure towards the lock-out.
    assert not LoginFailure.objects.exists()


def test_membership_in_one_organisation_that_allows_passwords_keeps_the_password(
        client, home_org, other_org):
    home_org.password_login_allowed = False
    home_org.save()
    user = member(home_org, "kari")
    MembershipFactory(user=user, organisation=other_org)
    assert log_in(client, "kari").status_code == 302


def test_superusers_and_users_without_organisation_keep_password_login(client, home_org):
    home_org.password_login_allowed = False
    home_org.save()
    member(home_org, "drift", is_superuser=True, is_staff=True)
    analyst = UserFactory(username="analytiker", is_national_analyst=True)
    analyst.set_password(PASSWORD)
    analyst.save()
    assert log_in(client, "drift").status_code == 302
    client.logout()
    assert log_in(client, "analytiker").status_code == 302


def test_the_django_admin_login_obeys_the_same_rule_for_staff(client, home_org):
    home_org.password_login_allowed = False
    home_org.save()
    member(home_org, "stab", is_staff=True)
    response = client.post("/django-admin/login/", {"username": "stab", "password": PASSWORD})
    assert "Organisasjonen din har slått av innlogging med passord" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_password_user_logging_out_goes_straight_to_the_login_page(client, employee):
    client.force_login(employee)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


# --- the organisation admin's page ---------------------------------------------------------

def test_the_admin_sees_the_providers_with_the_addresses_to_register(client, org_admin,
                                                                     home_org, monkeypatch):
    provider_for(home_org, "hjemby", monkeypatch)
    provider_for(home_org, "hjemby-id", monkeypatch, secret=False)
    client.force_login(org_admin)
    page = client.get(reverse("org-login", args=[home_org.org_number])).content.decode()
    assert "http://testserver/accounts/sso/hjemby/callback/" in page
    assert "http://testserver/accounts/login/" in page
    assert "Ikke i bruk: miljøvariabelen SSO_HJEMBY_ID_SECRET" in page


def test_turning_passwords_off_without_a_usable_provider_is_refused_on_the_page(
        client, org_admin, home_org):
    client.force_login(org_admin)
    response = client.post(reverse("org-login", args=[home_org.org_number]), {})
    assert response.status_code == 400
    assert "kan ikke slås av før den er satt opp" in response.content.decode()
    home_org.refresh_from_db()
    assert home_org.password_login_allowed is True
    assert not OrganisationEvent.objects.filter(kind="password_login_changed").exists()


def test_the_admin_turns_passwords_off_and_on_again(client, org_admin, home_org, monkeypatch):
    provider_for(home_org, "hjemby", monkeypatch)
    client.force_login(org_admin)
    url = reverse("org-login", args=[home_org.org_number])
    assert client.post(url, {}).status_code == 302
    home_org.refresh_from_db()
    assert home_org.password_login_allowed is False
    client.post(url, {"password_login_allowed": "on"})
    home_org.refresh_from_db()
    assert home_org.password_login_allowed is True
