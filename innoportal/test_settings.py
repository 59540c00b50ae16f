"""Settings for the test suite: the production settings with a test key and no HTTPS redirect."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from innoportal.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast tests
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WHITENOISE_AUTOREFRESH = True  # serve from the finders; no collectstatic before tests
WHITENOISE_USE_FINDERS = True
# django-prometheus' SQLite engine is not the engine name pytest-django recognises as SQLite,
# so under xdist it would name a per-worker test database file "test_<path>_gw0". Say what
# Django does for SQLite anyway: the test database lives in memory (one per worker process).
if DATABASES["default"]["ENGINE"].endswith(".sqlite3"):  # noqa: F405
    DATABASES["default"].setdefault("TEST", {})["NAME"] = ":memory:"  # noqa: F405
