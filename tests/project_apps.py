"""The project's own Django apps (those whose package is in this repository), for tests that
must cover every app: a new app is covered without touching the tests."""

from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[1]


def project_app_labels() -> tuple[str, ...]:
    return tuple(c.label for c in apps.get_app_configs() if Path(c.path).parent == ROOT)
