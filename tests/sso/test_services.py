"""First and later logins through a provider (portal.sso.services.sso_login), and the
organisation's password-login flag."""

import pytest

from portal.errors import ConflictError, DomainError, Forbidden
from portal.models import Membership, OrganisationEvent, User
from portal.roles import Role
from portal.sso.claims import Identity
from portal.sso.config import ProviderConfig
from portal.sso.models import ExternalIdentity, IdentityProvider
from portal.sso.services import organisation_set_password_login, sso_login
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
ISSUER = "https://login.microsoftonline.com/tenant/v2.0"


@pytest.fixture
def provider(home_org):
    return ProviderConfig(slug="hjemby", organisation=home_org.org_number, issuer=ISSUER,
                          client_id="innoportal", client_secret_env="SSO_HJEMBY_SECRET")


def kari(**overrides) -> Identity:
    return Identity(**{"issuer": ISSUER, "subject": "sub-kari", "email": "Kari@Hjemby.no",
                       "email_verified": True, "first_name": "Kari",
                       "last_name": "Nordmann", **overrides})


def nothing_written(count_before: dict) -> bool:
    return count_before == counts()


def counts() -> dict:
    return {"users": User.objects.count(), "identities": ExternalIdentity.objects.count(),
            "memberships": Membership.objects.count(),
            "events": OrganisationEvent.objects.count()}


def test_a_first_login_creates_the_user_as_employee_of_the_providers_organisation(
        provider, home_org, other_org):
    user = sso_login(provider=provider, identity=kari())
    assert (user.username, user.email) == ("kari@hjemby.no", "Kari@Hjemby.no")
    assert (user.first_name, user.last_name) == ("Kari", "Nordmann")
    assert not user.has_usable_password()
    identity = ExternalIdentity.objects.get(user=user)
    assert (identity.issuer, identity.subject, identity.provider_slug) == (
        ISSUER, "sub-kari", "hjemby")
    assert [(m.organisation, m.role) for m in user.memberships.all()] == [
        (home_org, Role.EMPLOYEE)]
    kinds = set(OrganisationEvent.objects.filter(organisation=home_org)
                .values_list("kind", "data__via"))
    assert kinds == {("sso_identity_linked", None), ("member_added", "sso")}


def test_a_later_login_finds_the_user_by_issuer_and_subject_even_with_a_new_email(provider):
    first = sso_login(provider=provider, identity=kari())
    before = counts()
    again = sso_login(provider=provider, identity=kari(email="kari.nordmann@hjemby.no",
                                                       last_name="Nordmann-Berg"))
    assert again.pk == first.pk
    again.refresh_from_db()
    assert (again.email, again.last_name) == ("kari.nordmann@hjemby.no", "Nordmann-Berg")
    assert counts() == before
    assert ExternalIdentity.objects.get().last_login_at is not None


def test_the_same_subject_at_another_issuer_is_another_person(provider):
    first = sso_login(provider=provider, identity=kari())
    other = sso_login(provider=provider, identity=kari(issuer="https://idporten.no",
                                                       email="", email_verified=False))
    assert other.pk != first.pk and other.username.startswith("sso-")


def test_a_membership_an_administrator_removed_is_not_given_back_on_the_next_login(
        provider, home_org):
    user = sso_login(provider=provider, identity=kari())
    Membership.objects.filter(user=user).delete()
    sso_login(provider=provider, identity=kari())
    assert not Membership.objects.filter(user=user).exists()


def test_a_higher_role_is_kept_when_an_existing_member_is_linked(provider, home_org):
    invited = MembershipFactory(user=UserFactory(username="kari", email="kari@hjemby.no"),
                                organisation=home_org, role=Role.MANAGER).user
    invited.set_unusable_password()
    invited.save()
    user = sso_login(provider=provider, identity=kari())
    assert user.pk == invited.pk
    assert Membership.objects.get(user=user).role == Role.MANAGER
    event = OrganisationEvent.objects.get(kind="sso_identity_linked")
    assert event.data["linked_by"] == "email"


def test_without_auto_membership_the_user_gets_no_membership(provider):
    user = sso_login(provider=ProviderConfig(**{**provider.__dict__, "auto_membership": False}),
                     identity=kari())
    assert not user.memberships.exists()
    assert ExternalIdentity.objects.filter(user=user).exists()


@pytest.mark.parametrize("existing, identity, why", [
    ({"email": "kari@hjemby.no"}, {"email_verified": False}, "the provider does not vouch"),
    ({"email": "kari@hjemby.no", "is_staff": True}, {}, "a staff account"),
    ({"email": "kari@hjemby.no", "is_superuser": True}, {}, "a superuser account"),
])
def test_an_account_with_the_same_email_is_not_taken_over(provider, existing, identity, why):
    UserFactory(username="kari-old", **existing)
    before = counts()
    with pytest.raises(ConflictError) as error:
        sso_login(provider=provider, identity=kari(**identity))
    assert "kari@hjemby.no" in error.value.message.lower(), why
    assert nothing_written(before), why


def test_an_account_of_another_identity_is_not_taken_over_by_email(provider):
    sso_login(provider=provider, identity=kari())
    before = counts()
    with pytest.raises(ConflictError):
        sso_login(provider=provider, identity=kari(issuer="https://other-tenant/v2.0"))
    assert nothing_written(before)


def test_two_accounts_with_the_address_are_not_guessed_between(provider):
    UserFactory(username="a", email="kari@hjemby.no")
    UserFactory(username="b", email="KARI@hjemby.no")
    with pytest.raises(ConflictError):
        sso_login(provider=provider, identity=kari())
    assert not ExternalIdentity.objects.exists()


def test_a_deactivated_account_cannot_log_in(provider):
    user = sso_login(provider=provider, identity=kari())
    User.objects.filter(pk=user.pk).update(is_active=False)
    with pytest.raises(Forbidden):
        sso_login(provider=provider, identity=kari())


def test_a_provider_for_an_organisation_that_does_not_exist_logs_nobody_in(provider):
    before = counts()
    with pytest.raises(DomainError):
        sso_login(provider=ProviderConfig(**{**provider.__dict__, "organisation": "999999999"}),
                  identity=kari())
    assert nothing_written(before)


def test_a_taken_username_gives_a_derived_one(provider):
    UserFactory(username="kari@hjemby.no", email="")
    user = sso_login(provider=provider, identity=kari())
    assert user.username.startswith("sso-") and len(user.username) == 24


# --- the password-login flag --------------------------------------------------------------

@pytest.fixture
def usable_provider(home_org, monkeypatch):
    monkeypatch.setenv("SSO_HJEMBY_SECRET", "s")
    return IdentityProvider.objects.create(organisation=home_org, slug="hjemby", issuer=ISSUER,
                                           client_id="c", client_secret_env="SSO_HJEMBY_SECRET")


def test_an_admin_turns_password_login_off_and_on_with_an_event_each(org_admin, home_org,
                                                                      usable_provider):
    organisation_set_password_login(actor=org_admin, organisation=home_org, allowed=False)
    home_org.refresh_from_db()
    assert home_org.password_login_allowed is False
    organisation_set_password_login(actor=org_admin, organisation=home_org, allowed=False)
    organisation_set_password_login(actor=org_admin, organisation=home_org, allowed=True)
    assert list(OrganisationEvent.objects.filter(kind="password_login_changed")
                .order_by("id").values_list("data__allowed", flat=True)) == [False, True]


def test_password_login_stays_on_while_no_provider_can_be_used(org_admin, home_org,
                                                               usable_provider, monkeypatch):
    monkeypatch.delenv("SSO_HJEMBY_SECRET")
    with pytest.raises(DomainError) as error:
        organisation_set_password_login(actor=org_admin, organisation=home_org, allowed=False)
    assert error.value.field == "password_login_allowed"
    home_org.refresh_from_db()
    assert home_org.password_login_allowed is True
    assert not OrganisationEvent.objects.filter(kind="password_login_changed").exists()


@pytest.mark.parametrize("persona", ["employee", "manager", "outsider"])
def test_only_the_organisations_admin_may_change_it(request, persona, home_org,
                                                    usable_provider):
    with pytest.raises(Forbidden):
        organisation_set_password_login(actor=request.getfixturevalue(persona),
                                        organisation=home_org, allowed=False)
    home_org.refresh_from_db()
    assert home_org.password_login_allowed is True
    assert not OrganisationEvent.objects.filter(kind="password_login_changed").exists()
