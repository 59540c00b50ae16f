"""Login throttling (portal.login_throttle): failures lock a user name at one address, or
everywhere after more; an address that fails too often has its invalid attempts refused but
never valid credentials (a town hall behind one NAT address). Every refusal is a 429 with
Retry-After; the counts live in the database (a Redis outage keeps the locks); every failure
and lockout is a security event without passwords or tokens."""

import logging
import time

import pytest
from django.urls import reverse

from portal import login_throttle
from portal.models import LoginFailure, SecurityEvent, SecurityEventKind
from portal.security import username_hash
from tests.factories import UserFactory
from tests.portal.test_faults import cache_down  # noqa: F401 - the fixture

PASSWORD = "pass-for-tests"
WINDOW = 900


@pytest.fixture(autouse=True)
def limits(settings):
    settings.LOGIN_FAILURE_LIMIT_PER_USERNAME_AND_ADDRESS = 5
    settings.LOGIN_FAILURE_LIMIT_PER_USERNAME = 20
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 30
    settings.LOGIN_THROTTLE_SECONDS = WINDOW


def login(client, username, password, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=address)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def assert_refused(response):
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= WINDOW
    return retry_after


# --- per user name at one address, and per user name ------------------------------------------

@pytest.mark.django_db
def test_five_failures_at_one_address_lock_the_name_there_even_with_the_right_password(client):
    UserFactory(username="kari")
    for _ in range(5):
        response = login(client, "kari", "wrong")
        assert response.status_code == 200 and not logged_in(client)
    response = login(client, "kari", PASSWORD)
    assert assert_refused(response) > WINDOW - 5
    assert not logged_in(client)
    assert "For mange mislykkede innloggingsforsøk" in response.content.decode()
    assert "15 minutter" in response.content.decode()
    assert assert_refused(login(client, "KARI", PASSWORD))  # the same name, any case
    # From another address the name is not locked: one person at a shared address cannot
    # lock a colleague out everywhere.
    assert login(client, "kari", PASSWORD, address="10.0.0.2").status_code == 302


@pytest.mark.django_db
def test_failures_for_one_name_from_many_addresses_lock_it_everywhere(client):
    UserFactory(username="kari")
    for n in range(20):  # four at each of five addresses: no single address reaches 5
        login(client, "kari", "wrong", address=f"10.0.1.{n % 5}")
    assert_refused(login(client, "kari", PASSWORD, address="10.9.9.9"))
    assert not logged_in(client)


@pytest.mark.django_db
def test_four_failures_then_success_resets_the_count(client):
    UserFactory(username="ola")
    for _ in range(4):
        login(client, "ola", "wrong")
    response = login(client, "ola", PASSWORD)
    assert response.status_code == 302 and logged_in(client)
    client.logout()
    # Counting starts again: four more failures still leave the right password working.
    for _ in range(4):
        login(client, "ola", "wrong")
    assert login(client, "ola", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_other_users_are_not_affected(client):
    UserFactory(username="kari")
    UserFactory(username="per")
    for _ in range(6):
        login(client, "kari", "wrong")
    assert login(client, "per", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_unknown_names_lock_like_real_ones(client):
    """The answers must not tell which user names exist."""
    UserFactory(username="kari")
    for name in ("kari", "finnes-ikke"):
        for _ in range(5):
            assert login(client, name, "wrong").status_code == 200
        assert_refused(login(client, name, "wrong"))


@pytest.mark.django_db
def test_the_lock_ends_when_the_window_has_passed(client, settings):
    settings.LOGIN_THROTTLE_SECONDS = 1
    UserFactory(username="kari")
    for _ in range(5):
        login(client, "kari", "wrong")
    assert login(client, "kari", PASSWORD).status_code == 429
    time.sleep(1.2)
    assert login(client, "kari", PASSWORD).status_code == 302


# --- per address: a town hall behind one NAT address --------------------------------------------

@pytest.mark.django_db
def test_a_town_hall_behind_one_address_is_not_locked_out(client, api_client, token_client,
                                                        manager, national_analyst):
    """Thirty wrong API tokens and a run of wrong passwords from one address used to lock a
    valid analyst token and a manager's correct password out for 15 minutes."""
    nat = "192.0.2.10"
    for n in range(30):
        assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token wrong{n}",
                              REMOTE_ADDR=nat).status_code in (401, 429)
    for name in ("ola", "per", "kari", "guest", "test"):
        for _ in range(4):
            login(client, name, "wrong", address=nat)
    analyst = token_client(national_analyst)
    assert analyst.get("/api/v1/me/", REMOTE_ADDR=nat).status_code == 200
    assert login(client, "manager", PASSWORD, address=nat).status_code == 302
    assert logged_in(client)


@pytest.mark.django_db
def test_an_address_over_its_limit_has_its_invalid_attempts_refused(client, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 3
    UserFactory(username="per")
    for name in ("a", "b", "c"):  # different (unknown) user names, one address
        assert login(client, name, "wrong", address="10.0.0.5").status_code == 200
    # Invalid attempts — unknown name or wrong password — are slowed down with a 429 ...
    assert_refused(login(client, "d", "wrong", address="10.0.0.5"))
    assert_refused(login(client, "per", "wrong", address="10.0.0.5"))
    # ... valid credentials are not.
    assert login(client, "per", PASSWORD, address="10.0.0.5").status_code == 302


@pytest.mark.django_db
def test_wrong_api_tokens_slow_the_address_down_but_never_a_valid_token(
        api_client, employee, token_client, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 3
    for n in range(3):
        response = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token wrong{n}",
                                  REMOTE_ADDR="10.0.0.7")
        assert response.status_code == 401
    refused = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token wrong4",
                             REMOTE_ADDR="10.0.0.7")
    assert_refused(refused)
    assert refused.json()["code"] == "throttled"
    good = token_client(employee)
    assert good.get("/api/v1/me/", REMOTE_ADDR="10.0.0.7").status_code == 200


@pytest.mark.django_db
def test_behind_the_proxy_the_address_is_the_one_the_proxy_appended(rf, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    request = rf.get("/", REMOTE_ADDR="10.9.9.9",
                     HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.7")
    assert login_throttle.client_address(request) == "192.0.2.7"
    settings.SECURE_PROXY_SSL_HEADER = None
    assert login_throttle.client_address(request) == "10.9.9.9"


# --- the admin's login, Redis down -------------------------------------------------------------

@pytest.mark.django_db
def test_the_admin_login_obeys_the_same_lock_and_answers_429(client):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    for _ in range(5):
        response = client.post("/django-admin/login/",
                               {"username": "root", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
        assert response.status_code == 200
    response = client.post("/django-admin/login/", {"username": "root", "password": PASSWORD},
                           REMOTE_ADDR="10.0.0.1")
    assert_refused(response)
    assert not logged_in(client)
    assert "For mange mislykkede innloggingsforsøk" in response.content.decode()


@pytest.mark.django_db
def test_the_lock_holds_while_redis_is_down(cache_down, client):  # noqa: F811
    UserFactory(username="kari")
    for _ in range(5):
        login(client, "kari", "wrong")
    assert_refused(login(client, "kari", PASSWORD))
    assert LoginFailure.objects.filter(account=username_hash("kari")).count() == 5


@pytest.mark.django_db
def test_old_failures_are_pruned_when_new_ones_arrive(client, settings):
    settings.LOGIN_THROTTLE_SECONDS = 1
    for _ in range(3):
        login(client, "kari", "wrong")
    time.sleep(1.2)
    login(client, "per", "wrong")
    assert LoginFailure.objects.count() == 1


# --- security events ----------------------------------------------------------------------------

@pytest.mark.django_db
def test_failures_refusals_and_lockouts_are_security_events_without_secrets(
        client, api_client, caplog):
    kari = UserFactory(username="kari")
    caplog.set_level(logging.INFO, logger="innoportal.security")
    for _ in range(5):
        login(client, "kari", "hemmelig-passord")
    login(client, "kari", PASSWORD)
    login(client, "ukjent-navn", "annet-passord", address="10.0.0.3")
    api_client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token hemmelig-nokkel",
                   REMOTE_ADDR="10.0.0.4")

    events = list(SecurityEvent.objects.order_by("id"))
    assert [e.kind for e in events] == [
        *[SecurityEventKind.LOGIN_FAILED] * 5, SecurityEventKind.LOCKOUT,
        SecurityEventKind.LOGIN_REFUSED, SecurityEventKind.LOGIN_FAILED,
        SecurityEventKind.TOKEN_FAILED]
    failed = events[0]
    assert (failed.user, failed.username_hash, failed.address, failed.path) == (
        kari, username_hash("kari"), "10.0.0.1", "/accounts/login/")
    assert events[5].data == {"scope": "account_address"}
    assert events[6].data["scope"] == "account_address" and events[6].data["retry_after"] > 0
    unknown = events[7]
    assert unknown.user is None and unknown.username_hash == username_hash("ukjent-navn")
    assert (events[8].address, events[8].path) == ("10.0.0.4", "/api/v1/me/")
    # Nothing secret, and not the typed user name either, in the rows or the log lines.
    stored = " ".join(f"{e.username_hash} {e.address} {e.path} {e.data}" for e in events)
    logged = " ".join(r.getMessage() for r in caplog.records if r.name == "innoportal.security")
    assert len([r for r in caplog.records if r.name == "innoportal.security"]) == len(events)
    for secret in ("hemmelig-passord", PASSWORD, "annet-passord", "hemmelig-nokkel",
                   "ukjent-navn"):
        assert secret not in stored and secret not in logged
    assert '"kind": "login_failed"' in logged


@pytest.mark.django_db
def test_security_events_are_written_once_and_never_changed():
    event = SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN_FAILED)
    event.address = "10.0.0.1"
    with pytest.raises(ValueError):
        event.save()
