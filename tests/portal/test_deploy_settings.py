import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x7Jq9v2LpR4tW8zN1cF6hB3mD5kS0gY2uE7iO9aQ4wT6rZ8xV1nM3bC5lK7jH9fG",
    "ALLOWED_HOSTS": "innoportal.example.no",
    "DATABASE_URL": "sqlite:////tmp/innoportal-deploy-check.sqlite3",
}


def run_manage(*args, env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    for name in ("SECRET_KEY", "SECURE_SSL_REDIRECT", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "innoportal.settings"
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)


# Variables of the tests' own environment that would change what the production settings say.
NOT_INHERITED = {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "SECURE_SSL_REDIRECT", "REDIS_URL",
                 "SECURE_COOKIES", "SECURE_HSTS_SECONDS", "CACHE_URL", "DATABASE_JIT"}


def production_json(expression: str, **variables: str):
    """The JSON value of `expression` (Python over `s`, the settings) in a fresh process with
    the production settings, PRODUCTION_ENV and `variables`."""
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env.update(PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="innoportal.settings", **variables)
    script = ("import django, json; django.setup(); from django.conf import settings as s; "
              f"print(json.dumps({expression}))")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_is_clean_with_production_variables():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING",
                        env_overrides=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_settings_refuse_to_start_without_secret_key_when_debug_is_off():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = run_manage("check", env_overrides=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_models_and_migrations_agree(db):
    from io import StringIO

    from django.core.management import call_command

    # Exits non-zero (SystemExit) when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


def test_collectstatic_with_the_production_manifest_storage_succeeds(tmp_path):
    # The Docker image runs this; a vendored file that points at a missing source map (or any
    # other missing reference) makes the manifest storage fail.
    result = run_manage("collectstatic", "--noinput", env_overrides={
        **PRODUCTION_ENV, "STATIC_ROOT": str(tmp_path / "static")})
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()


def test_production_settings_secure_cookies_hsts_and_no_inline_csp():
    """With DEBUG off and the production variables: cookies only over HTTPS and out of reach
    of scripts where the app does not need them, HSTS for a year, HTTPS redirects, and a
    Content-Security-Policy without inline script or style."""
    values = production_json(
        "{k: getattr(s, k) for k in ['DEBUG', 'SESSION_COOKIE_SECURE', "
        "'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE', "
        "'CSRF_COOKIE_SAMESITE', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', "
        "'SECURE_SSL_REDIRECT', 'SECURE_CONTENT_TYPE_NOSNIFF', 'X_FRAME_OPTIONS']} | "
        "{'csp': s.CONTENT_SECURITY_POLICY['DIRECTIVES']}")
    assert values.pop("csp")["script-src"] == ["'self'"]
    assert values == {
        "DEBUG": False, "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True, "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax", "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True, "SECURE_SSL_REDIRECT": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True, "X_FRAME_OPTIONS": "DENY"}


def test_responses_carry_hsts_secure_cookies_and_the_csp(client, db, settings):
    """The test settings are the production ones (DEBUG off) without the HTTPS redirect:
    a login over HTTPS gets the headers and cookie flags a browser will enforce."""
    from django.urls import reverse

    from tests.factories import UserFactory

    assert settings.DEBUG is False
    UserFactory(username="kari")
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    csrf = response.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    response = client.post(reverse("login"), {"username": "kari",
                                               "password": "pass-for-tests"}, secure=True)
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def test_plain_http_is_redirected_to_https_in_production():
    script = ("import django; django.setup(); from django.test import Client; "
              "r = Client().get('/accounts/login/', HTTP_HOST='innoportal.example.no'); "
              "print(r.status_code, r['Location'])")
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    for name in ("SECRET_KEY", "SECURE_SSL_REDIRECT", "REDIS_URL"):
        env.pop(name, None)
    env.update(PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="innoportal.settings")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["301", "https://innoportal.example.no/accounts/login/"]


@pytest.mark.parametrize("cache_url", [None, "redis://cache.internal:6379/0"])
def test_the_cache_may_live_in_a_redis_of_its_own(cache_url):
    """CACHE_URL puts the cache (cached pages among it) apart from the broker, as
    docker-compose.yml does; without it both share REDIS_URL."""
    location, broker = production_json(
        "[s.CACHES['default'].get('LOCATION'), s.CELERY_BROKER_URL]",
        REDIS_URL="redis://broker.internal:6379/0", **({"CACHE_URL": cache_url}
                                                      if cache_url else {}))
    assert broker == "redis://broker.internal:6379/0"
    assert location == (cache_url or broker)
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert compose["x-app"]["environment"]["CACHE_URL"] == "redis://cache:6379/0"
    assert "allkeys-lru" in compose["services"]["cache"]["command"]


@pytest.mark.parametrize(("url_options", "jit", "expected"), [
    ("", None, "-c jit=off"),
    ("?options=-c%20statement_timeout%3D5000", None, "-c statement_timeout=5000 -c jit=off"),
    ("", "true", None),
])
def test_postgresql_connections_run_without_jit_unless_asked(url_options, jit, expected):
    """A query whose estimated cost crosses jit_above_cost had PostgreSQL compile it first:
    the indicator page's peer comparison spent 54 of its 98 ms compiling, at national scale.
    The site's connections turn JIT off (options given in DATABASE_URL are kept);
    DATABASE_JIT=true leaves PostgreSQL's setting alone."""
    assert production_json(
        "s.DATABASES['default']['OPTIONS'].get('options')",
        DATABASE_URL=f"postgres://app@db.internal:5432/innoportal{url_options}",
        **({"DATABASE_JIT": jit} if jit else {})) == expected


@pytest.mark.django_db
def test_the_test_database_connection_has_jit_off(settings):
    """The same setting on a real connection: PostgreSQL takes it at connect."""
    if not settings.IS_POSTGRES:
        pytest.skip("JIT is PostgreSQL's")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
