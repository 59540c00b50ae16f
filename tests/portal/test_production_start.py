"""The site must start whatever order Django runs its system checks in.

DRF imports the classes named in REST_FRAMEWORK lazily, on the first touch of the setting, and
some are touched while DRF itself is half imported (APIView's class attributes read them). A
project module named there that imports `rest_framework.views` then fails with "partially
initialized module" — but only when that setting is the first to be touched, which depended on
the order of the system checks: it passed on SQLite and stopped `check`, `migrate` and
`runserver` on PostgreSQL with DEBUG off. So each setting is touched first, alone, in a fresh
interpreter, and `check --deploy` runs with production settings on the suite's own database
engine. (`.ci/run` also starts the whole production shape: scripts/production_smoke.py.)"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.settings import IMPORT_STRINGS

ROOT = Path(__file__).resolve().parents[2]
PROJECT_PACKAGES = {path.parent.name for path in ROOT.glob("*/apps.py")} | {"portal"}


def _project_import_settings() -> list[str]:
    return sorted(name for name in IMPORT_STRINGS
                  if name in settings.REST_FRAMEWORK
                  and any(str(value).split(".")[0] in PROJECT_PACKAGES
                          for value in (settings.REST_FRAMEWORK[name]
                                        if isinstance(settings.REST_FRAMEWORK[name], list)
                                        else [settings.REST_FRAMEWORK[name]])))


def _fresh_python(code: str, **env_overrides) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE, **env_overrides}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_sweep_finds_the_project_classes_drf_imports():
    names = _project_import_settings()
    assert {"DEFAULT_PAGINATION_CLASS", "EXCEPTION_HANDLER", "DEFAULT_METADATA_CLASS",
            "DEFAULT_AUTHENTICATION_CLASSES"} <= set(names)


@pytest.mark.parametrize("name", _project_import_settings())
def test_each_drf_setting_imports_first_in_a_fresh_process(name):
    result = _fresh_python(
        "import django; django.setup()\n"
        "from rest_framework.settings import api_settings\n"
        f"getattr(api_settings, {name!r})\n"
        "import rest_framework.views, rest_framework.generics\n")
    assert result.returncode == 0, result.stderr[-2000:]


def test_check_deploy_passes_on_the_suites_database_engine():
    database_url = os.environ.get("DATABASE_URL", "")
    # The database checks are what ran first on PostgreSQL. On SQLite they only warn that it
    # ignores the covering indexes' INCLUDE columns, which production (PostgreSQL) uses.
    on_postgres = database_url.startswith(("postgres://", "postgresql://"))
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING",
         *(["--database", "default"] if on_postgres else [])],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**{k: v for k, v in os.environ.items()
                if k not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL", "SECRET_KEY", "DEBUG",
                             "SECURE_SSL_REDIRECT", "SECURE_COOKIES", "DJANGO_ALLOW_ASYNC_UNSAFE")},
             "DEBUG": "false",
             "DATABASE_URL": database_url or "sqlite:////tmp/innoportal-start-check.sqlite3",
             "SECRET_KEY": "production-start-check-0123456789-abcdefghijklmnopqrstuvwxyz",
             "ALLOWED_HOSTS": "innoportal.example.no"})
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def test_docker_compose_is_safe_by_default():
    """Plain HTTP is the explicit opt-in for a local try, never the default of the production
    shape: with no variables set, compose redirects to HTTPS and sends cookies over HTTPS only."""
    import re

    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    environment = compose["x-app"]["environment"]
    assert environment["DEBUG"] == "false"
    for name in ("SECURE_SSL_REDIRECT", "SECURE_COOKIES"):
        default = re.fullmatch(r"\$\{" + name + r":-(\w+)\}", environment[name])
        assert default and default.group(1) == "true", f"{name} is {environment[name]!r}"
