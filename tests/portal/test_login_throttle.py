"""Login throttling: repeated failures for a username or from an address lock further
attempts, even with the right password; success and the end of the window reset."""

import uuid

import pytest
from django.urls import reverse

from portal import login_throttle
from tests.factories import UserFactory

PASSWORD = "pass-for-tests"


@pytest.fixture(autouse=True)
def own_cache(settings):
    """A fresh local-memory cache per test: counters from other tests (or a shared Redis)
    must neither lock nor unlock anything here."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"throttle-{uuid.uuid4().hex}"}}
    settings.LOGIN_FAILURE_LIMIT_PER_USERNAME = 5
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 30
    settings.LOGIN_THROTTLE_SECONDS = 900


def login(client, username, password, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=address)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_five_failures_lock_out_even_the_right_password(client):
    user = UserFactory(username="kari")
    for _ in range(5):
        response = login(client, "kari", "wrong")
        assert response.status_code == 200 and not logged_in(client)
    response = login(client, "kari", PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)
    assert "For mange mislykkede innloggingsforsøk" in response.content.decode()
    assert "15 minutter" in response.content.decode()
    # The same from another address: the username itself is locked.
    response = login(client, "KARI", PASSWORD, address="10.0.0.2")
    assert response.status_code == 429 and not logged_in(client)
    assert user.pk  # the account itself is untouched


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
    assert login(client, "per", PASSWORD, address="10.0.0.9").status_code == 302


@pytest.mark.django_db
def test_the_lock_ends_when_the_window_has_passed(client, settings):
    settings.LOGIN_THROTTLE_SECONDS = 1
    UserFactory(username="kari")
    for _ in range(5):
        login(client, "kari", "wrong")
    assert login(client, "kari", PASSWORD).status_code == 429
    import time

    time.sleep(1.2)
    assert login(client, "kari", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_many_failures_from_one_address_lock_that_address(client, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 3
    UserFactory(username="per")
    for name in ("a", "b", "c"):  # different (unknown) usernames, one address
        login(client, name, "wrong", address="10.0.0.5")
    assert login(client, "per", PASSWORD, address="10.0.0.5").status_code == 429
    assert login(client, "per", PASSWORD, address="10.0.0.6").status_code == 302


@pytest.mark.django_db
def test_behind_the_proxy_the_address_is_the_one_the_proxy_appended(rf, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    request = rf.get("/", REMOTE_ADDR="10.9.9.9",
                     HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.7")
    assert login_throttle.client_address(request) == "192.0.2.7"
    settings.SECURE_PROXY_SSL_HEADER = None
    assert login_throttle.client_address(request) == "10.9.9.9"


@pytest.mark.django_db
def test_the_admin_login_obeys_the_same_lock(client):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    for _ in range(5):
        client.post("/django-admin/login/", {"username": "root", "password": "wrong"},
                    REMOTE_ADDR="10.0.0.1")
    response = client.post("/django-admin/login/", {"username": "root", "password": PASSWORD},
                           REMOTE_ADDR="10.0.0.1")
    assert not logged_in(client)
    assert "For mange mislykkede innloggingsforsøk" in response.content.decode()


@pytest.mark.django_db
def test_wrong_api_tokens_lock_the_address(api_client, settings, employee, token_client):
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 3
    for n in range(3):
        response = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token wrong{n}",
                                  REMOTE_ADDR="10.0.0.7")
        assert response.status_code == 401
    good = token_client(employee)
    response = good.get("/api/v1/me/", REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 429
    assert good.get("/api/v1/me/", REMOTE_ADDR="10.0.0.8").status_code == 200
