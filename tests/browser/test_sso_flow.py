"""Issue 17, single sign-on, tested for real: a real OpenID Connect provider (a second Django
project on django-oidc-provider, tests/oidc_provider/) runs as a subprocess on a free loopback
port, and Chromium logs in through the whole redirect flow — the portal's login page, the
provider's login form, the authorization code with PKCE back to the portal — with nothing
mocked on either side."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache

from portal.models import Membership, OrganisationEvent, User
from portal.roles import Role
from portal.sso.models import ExternalIdentity, IdentityProvider
from tests.browser.test_accessibility import axe_problems
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.sso.provider import start_provider, stop_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KARI = {"username": "kari", "password": "kari-passord-123", "email": "kari@hjemby.kommune.no",
        "first_name": "Kari Anne", "last_name": "Nordmann"}
SECRETS = {"hjemby": "hjemby-klienthemmelighet", "naboby": "naboby-klienthemmelighet"}


@pytest.fixture(scope="module")
def identity_provider(live_server):
    clients = [{"name": slug, "client_id": f"innoportal-{slug}", "client_secret": secret,
                "redirect_uris": [f"{live_server.url}/accounts/sso/{slug}/callback/"],
                "post_logout_redirect_uris": [f"{live_server.url}/accounts/login/"]}
               for slug, secret in SECRETS.items()]
    provider, workdir = start_provider({"clients": clients, "users": [KARI]})
    yield provider
    stop_provider(provider, workdir)


@pytest.fixture
def portal(identity_provider, monkeypatch):
    """Two municipalities, each with its own client at the provider, configured in the
    admin's table; the secrets in environment variables, as in production."""
    cache.clear()
    identity_provider.set_mode("normal")
    orgs = {"hjemby": OrganisationFactory(name="Hjemby kommune"),
            "naboby": OrganisationFactory(name="Naboby kommune")}
    for slug, secret in SECRETS.items():
        monkeypatch.setenv(f"SSO_TEST_{slug.upper()}_SECRET", secret)
        IdentityProvider.objects.create(
            organisation=orgs[slug], slug=slug, issuer=identity_provider.issuer,
            client_id=f"innoportal-{slug}", client_secret_env=f"SSO_TEST_{slug.upper()}_SECRET")
    yield orgs
    identity_provider.set_mode("normal")


def start_login(page, organisation_name: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_role("link", name=f"Logg inn med kommunens konto: {organisation_name}").click()


def sign_in_at_provider(page, identity_provider, user=KARI) -> None:
    page.wait_for_url(f"{identity_provider.base_url}/login/**")
    page.fill("input[name=username]", user["username"])
    page.fill("input[name=password]", user["password"])
    page.click("#op-login")


def log_out(page) -> None:
    page.click(".user-menu summary")
    page.get_by_role("button", name="Logg ut").click()


def watch_navigation(page) -> list[str]:
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url) if r.is_navigation_request() else None)
    return urls


def test_first_login_creates_an_employee_second_login_finds_them_and_logout_ends_both(
        open_page, live_server, identity_provider, portal):
    page = open_page()
    urls = watch_navigation(page)
    start_login(page, "Hjemby kommune")
    sign_in_at_provider(page, identity_provider)
    page.wait_for_url(f"{live_server.url}/")

    # The authorization request carried PKCE (S256), a state and a nonce.
    authorize = next(u for u in urls if "/openid/authorize" in u)
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert query["redirect_uri"] == [f"{live_server.url}/accounts/sso/hjemby/callback/"]
    callback = next(u for u in urls if "/accounts/sso/hjemby/callback/" in u)

    user = User.objects.get(email=KARI["email"])
    assert (user.first_name, user.last_name) == ("Kari Anne", "Nordmann")
    assert not user.has_usable_password()
    identity = ExternalIdentity.objects.get(user=user)
    assert identity.issuer == identity_provider.issuer and identity.subject
    memberships = list(Membership.objects.filter(user=user))
    assert [(m.organisation, m.role) for m in memberships] == [(portal["hjemby"], Role.EMPLOYEE)]
    assert OrganisationEvent.objects.filter(organisation=portal["hjemby"],
                                            kind="sso_identity_linked").count() == 1

    # Logout ends the portal's session and, through the end-session endpoint, the provider's.
    log_out(page)
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    assert any("/openid/end-session" in u for u in urls)
    page.goto("/")
    assert urlsplit(page.url).path == "/accounts/login/"

    # The callback replayed (same code and state) is refused: the state was used up.
    response = page.goto(callback)
    assert response.status == 400
    assert "hørte til en innlogging som ble startet her" in page.content()
    page.goto("/")
    assert urlsplit(page.url).path == "/accounts/login/"

    # The second login asks the provider for the password again (its session ended) and
    # arrives at the same account: no new user, identity or membership.
    start_login(page, "Hjemby kommune")
    sign_in_at_provider(page, identity_provider)
    page.wait_for_url(f"{live_server.url}/")
    assert User.objects.filter(email=KARI["email"]).count() == 1
    assert ExternalIdentity.objects.get().user_id == user.pk
    assert Membership.objects.filter(user=user).count() == 1
    assert "Kari Anne Nordmann" in page.content()


def test_a_tampered_id_token_signature_is_refused(open_page, live_server, identity_provider,
                                                  portal):
    identity_provider.set_mode("tamper-signature")
    page = open_page()
    start_login(page, "Hjemby kommune")
    with page.expect_response(lambda r: "/accounts/sso/hjemby/callback/" in r.url) as answer:
        sign_in_at_provider(page, identity_provider)
    assert answer.value.status == 400
    assert "ikke kunne bekreftes" in page.content()
    assert not User.objects.filter(email=KARI["email"]).exists()
    assert not ExternalIdentity.objects.exists()
    page.goto("/")
    assert urlsplit(page.url).path == "/accounts/login/"


def attacker_callback(open_page, live_server, identity_provider, slug: str = "hjemby") -> str:
    """A genuine callback URL (code and state) from someone else's login: another browser
    signs in at the provider and stops before its redirect back to the portal is followed
    (the context's request API shares its cookies and can leave redirects alone)."""
    attacker = open_page()
    attacker.goto(f"{identity_provider.base_url}/login/?next=/openid/.well-known/"
                  "openid-configuration")
    attacker.fill("input[name=username]", KARI["username"])
    attacker.fill("input[name=password]", KARI["password"])
    with attacker.expect_navigation():
        attacker.click("#op-login")
    start = attacker.request.get(f"{live_server.url}/accounts/sso/{slug}/login/",
                                 max_redirects=0)
    authorize = attacker.request.get(start.headers["location"], max_redirects=0)
    callback = authorize.headers["location"]
    assert f"/accounts/sso/{slug}/callback/?" in callback and "code=" in callback
    return callback, attacker


def test_a_callback_with_a_state_this_browser_was_not_given_is_refused(
        open_page, live_server, identity_provider, portal):
    """Login CSRF: a victim's browser sent to someone else's callback. The victim has a
    login of their own pending; neither state matches, nothing is exchanged or created."""
    callback, attacker = attacker_callback(open_page, live_server, identity_provider)
    victim = open_page()
    start_login(victim, "Hjemby kommune")
    victim.wait_for_url(f"{identity_provider.base_url}/login/**")
    response = victim.goto(callback)
    assert response.status == 400
    assert "hørte til en innlogging som ble startet her" in victim.content()
    assert not ExternalIdentity.objects.exists()
    victim.goto(f"{live_server.url}/")
    assert urlsplit(victim.url).path == "/accounts/login/"
    # The code itself was good: in the browser that started the login it logs in.
    assert attacker.request.get(callback, max_redirects=0).headers["location"] == "/"
    assert ExternalIdentity.objects.count() == 1


def test_a_response_for_one_provider_is_not_accepted_at_another(
        open_page, live_server, identity_provider, portal):
    """Started at Hjemby, the answer taken to Naboby's callback: the state is bound to Hjemby,
    so the code is never exchanged with Naboby's client and nobody joins Naboby."""
    callback, attacker = attacker_callback(open_page, live_server, identity_provider)
    response = attacker.request.get(callback.replace("/sso/hjemby/", "/sso/naboby/"),
                                    max_redirects=0)
    assert response.status == 400
    assert not Membership.objects.filter(organisation=portal["naboby"]).exists()
    assert not ExternalIdentity.objects.exists()


def test_an_organisation_that_turns_password_login_off_leaves_its_members_sso_only(
        open_page, live_server, identity_provider, portal):
    hjemby = portal["hjemby"]
    admin = MembershipFactory(user=UserFactory(username="hjemby-admin"), organisation=hjemby,
                              role=Role.ADMIN).user
    staff = MembershipFactory(user=UserFactory(username="hjemby-ansatt"), organisation=hjemby,
                              role=Role.EMPLOYEE).user
    for user in (admin, staff):
        user.set_password("et-godt-passord-1")
        user.save()
    page = open_page(admin)
    page.goto(f"/organisation/{hjemby.org_number}/login/")
    assert "/accounts/sso/hjemby/callback/" in page.content()
    page.uncheck("input[name=password_login_allowed]")
    with page.expect_navigation():
        page.get_by_role("button", name="Lagre").click()
    assert "Innloggingsinnstillingene er lagret" in page.content()
    hjemby.refresh_from_db()
    assert hjemby.password_login_allowed is False

    other = open_page()
    other.goto("/accounts/login/")
    other.fill("input[name=username]", "hjemby-ansatt")
    other.fill("input[name=password]", "et-godt-passord-1")
    with other.expect_navigation():
        other.click("main form button[type=submit]")
    assert "Organisasjonen din har slått av innlogging med passord" in other.content()
    other.goto("/")
    assert urlsplit(other.url).path == "/accounts/login/"


def test_the_login_page_with_providers_works_at_375_px(browser, live_server, identity_provider,
                                                       portal, browser_errors):
    context = browser.new_context(base_url=live_server.url, locale="nb-NO",
                                  viewport={"width": 375, "height": 800})
    context.on("page", browser_errors.watch)
    page = context.new_page()
    page.goto("/accounts/login/")
    links = page.get_by_role("link", name="Logg inn med kommunens konto:")
    assert links.count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    for index in range(2):
        box = links.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    context.close()
    assert browser_errors.unexpected() == []


def test_the_login_choices_and_the_admins_login_page_pass_axe(open_page, identity_provider,
                                                              portal):
    hjemby = portal["hjemby"]
    admin = MembershipFactory(user=UserFactory(username="hjemby-admin"), organisation=hjemby,
                              role=Role.ADMIN).user
    problems = []
    page = open_page(bypass_csp=True)
    page.goto("/accounts/login/")
    problems += axe_problems(page, "login page with two providers")
    page = open_page(admin, bypass_csp=True)
    page.goto(f"/organisation/{hjemby.org_number}/login/")
    problems += axe_problems(page, "the organisation's login settings")
    page.uncheck("input[name=password_login_allowed]")
    IdentityProvider.objects.filter(organisation=hjemby).delete()
    with page.expect_navigation():
        page.get_by_role("button", name="Lagre").click()
    assert "kan ikke slås av før den er satt opp" in page.content()
    problems += axe_problems(page, "the login settings with an error")
    assert problems == []
