import os
import subprocess
import sys
from pathlib import Path

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
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)


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
