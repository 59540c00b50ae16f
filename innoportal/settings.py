"""Innoportal settings, driven by environment variables.

DATABASE_URL unset -> SQLite file in the project; REDIS_URL unset -> Celery runs tasks eagerly
and the cache is local memory. That is what makes the zero-setup path work.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.sso.config import parse_providers

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A refused form gets the site's 403 page with what to do (portal.views.csrf_failure).
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "django_prometheus",
    # The audit trail (README, "Audit"): before the apps, so portal/admin.py replaces its admin.
    "auditlog",
    # The apps, foundation first; each imports only the ones listed before it (README,
    # "Architecture"; checked by import-linter).
    "portal",
    "initiatives",
    "projects",
    "ideas",
    "gevinst",
    "indicators",
    "notifications",
    "exchange",
    "overview",
    "ops",
    "innoportal",
]

MIDDLEWARE = [
    # Outermost: every later middleware's log lines carry the request id too.
    "portal.request_id.RequestIdMiddleware",
    # Request counts and latencies for /metrics: Before first, After last (django-prometheus).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.BokmalByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "portal.middleware.RejectNulCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.UserLanguageMiddleware",
    # The audit trail's actor and address (after the user is known; an API token's user is
    # set by portal.api.authentication), and the security event of every refused write.
    "portal.middleware.AuditActorMiddleware",
    "portal.middleware.RefusedWriteMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Innermost: the first to see a view's exception (PostgreSQL away -> 503).
    "portal.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "innoportal.urls"
WSGI_APPLICATION = "innoportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
                "portal.context_processors.release",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections with a health check, so a PostgreSQL restart costs a failed
    # request or two, not a restart of the app.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A connection attempt during a restart or failover fails within seconds (then 503, see
    # portal.middleware) instead of holding a web worker; libpq's default is to wait forever.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5))
    # No JIT compilation (unless DATABASE_JIT=true): the site's queries are short, and when a
    # planner's estimate crosses jit_above_cost, compiling costs 40-60 ms where running takes
    # a few (the indicator page's peer comparison: 98 ms, 54 of them JIT, at national scale).
    if not env.bool("DATABASE_JIT", default=False):
        options = DATABASES["default"]["OPTIONS"]
        if "jit" not in options.get("options", ""):
            options["options"] = f"{options.get('options', '')} -c jit=off".strip()
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
# The same backends, wrapped by django-prometheus to count and time queries and connections
# for /metrics; the options above (connect timeout, health checks) apply unchanged.
DATABASES["default"]["ENGINE"] = {
    "django.db.backends.postgresql": "django_prometheus.db.backends.postgresql",
    "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
}.get(DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"])

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "portal.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    # Answers only on the single sign-on callback (portal.sso.oidc).
    "portal.sso.oidc.ProviderBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "nb"
# Bokmål is the default and the msgids; nynorsk (Vestland, Møre og Romsdal) and English are
# catalogues in locale/. A signed-in user's choice is kept on the user (portal.languages).
LANGUAGES = [("nb", _("Norsk bokmål")), ("nn", _("Norsk nynorsk")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True
# One short date (06.12.2026), one long (6. desember 2026) and numbers as each language writes
# them (1 234,5 / 1,234.5): innoportal/formats/<language>/formats.py. The thousands separator
# is not switched on for every number a template prints (a year would read «2 026», an id in
# an attribute «1 234»): figures for people go through the `num` filter, which groups them.
FORMAT_MODULE_PATH = ["innoportal.formats"]
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and env.bool("STATIC_MANIFEST", default=True)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploaded files live outside the static tree and are only ever served through a view that
# checks access (never by the web server directly).
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media/"
# Where `manage.py backup` writes its archives unless told otherwise (ops.backup).
BACKUP_DIR = env.path("BACKUP_DIR", default=BASE_DIR / "backups")

# --- Redis, cache and Celery --------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# The cache may live in a Redis of its own (docker-compose.yml: `cache`, with a memory limit
# and LRU eviction), so cached pages can never crowd out Celery's queues; default REDIS_URL.
CACHE_URL = env.str("CACHE_URL", default=REDIS_URL)
if CACHE_URL:
    # A Redis outage must not fail pages: errors count as cache misses (portal.cache). Short
    # timeouts so an unreachable Redis costs a request at most a second or two.
    CACHES = {"default": {"BACKEND": "portal.cache.FaultTolerantRedisCache",
                          "LOCATION": CACHE_URL,
                          "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2}}}
else:
    CACHES = {"default": {"BACKEND": "django_prometheus.cache.backends.locmem.LocMemCache"}}

# Rendered pages cached until the data they show changes (portal.page_cache; PostgreSQL only).
PAGE_CACHE = env.bool("PAGE_CACHE", default=True)
# Short: a page stored under an old data version is never read again, only waits to expire.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=120)
# Part of every page key: the tests set a new one per test, whose rollback makes data
# versions repeat.
PAGE_CACHE_SALT = ""

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Do not hang a web request for long when Redis is down: the publish fails fast (one retry,
# 2 s connect timeout) and the message waits in the outbox (portal.outbox).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0,
                                    "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
# Messages the after-commit publish may still send are left alone this long by the flush.
OUTBOX_GRACE_SECONDS = env.int("OUTBOX_GRACE_SECONDS", default=30)
# A running indicator job without a progress heartbeat this long lost its worker.
INDICATOR_JOB_STALE_SECONDS = env.int("INDICATOR_JOB_STALE_SECONDS", default=600)
# The portfolio import (exchange/): the largest file accepted (the national file is about
# 90 MB); the largest API body imported within the request (a larger one becomes a background
# job, as every upload on the page does); and how long a running import may last before a
# redelivered task may claim it again (the national file takes about two minutes).
PORTFOLIO_IMPORT_MAX_BYTES = env.int("PORTFOLIO_IMPORT_MAX_BYTES", default=256 * 1024 * 1024)
PORTFOLIO_IMPORT_SYNC_MAX_BYTES = env.int("PORTFOLIO_IMPORT_SYNC_MAX_BYTES",
                                          default=2 * 1024 * 1024)
PORTFOLIO_IMPORT_STALE_SECONDS = env.int("PORTFOLIO_IMPORT_STALE_SECONDS", default=3600)
CELERY_BEAT_SCHEDULE: dict = {
    # Beat's heartbeat for /healthz/full (ops.models.Heartbeat); a late one is not worth
    # running, so it expires.
    "ops-beat-heartbeat": {"task": "ops.tasks.beat_heartbeat", "schedule": 60.0,
                           "options": {"expires": 50}},
    # Publishes what the outbox kept while Redis was down.
    "outbox-flush": {"task": "portal.tasks.outbox_flush", "schedule": 60.0},
    # Folds finished transactions' rows of the data version (portal.data_version).
    "data-version-fold": {"task": "portal.tasks.data_version_fold", "schedule": 60.0,
                          "options": {"expires": 50}},
    # Running jobs whose worker died are marked interrupted (failed).
    "indicators-expire-jobs": {"task": "indicators.tasks.expire_indicator_jobs",
                               "schedule": 60.0},
    # Portfolio imports whose worker died (exchange.services.import_jobs_expire).
    "exchange-expire-imports": {"task": "exchange.tasks.expire_portfolio_imports",
                                "schedule": 300.0},
    # Every consumer of written rows (portal.consumers: notices, plan re-approval, the
    # indicators' dirty marks): the safety net for a wake that was lost or delayed.
    "consumers-run-all": {"task": "portal.tasks.consumers_run_all", "schedule": 60.0},
    "indicators-nightly": {"task": "indicators.tasks.recompute_current_indicators",
                           "schedule": crontab(hour=2, minute=15)},
    # Benefit owners are reminded when a measurement is due per the plan (once per due date).
    "benefit-reminders": {"task": "gevinst.tasks.benefit_reminders_send",
                          "schedule": crontab(hour=6, minute=30)},
    # Notice e-mails (notifications.mail): a sweep for those who want them at once (the
    # writer also enqueues after commit), the daily digest, and the weekly one on Mondays.
    "notifications-immediate": {"task": "notifications.tasks.notifications_send_immediate",
                                "schedule": 300.0},
    "notifications-daily": {"task": "notifications.tasks.notifications_send_daily",
                            "schedule": crontab(hour=7, minute=0)},
    "notifications-weekly": {"task": "notifications.tasks.notifications_send_weekly",
                             "schedule": crontab(hour=7, minute=0, day_of_week="mon")},
}

# --- Operations: /metrics and /healthz/full (ops/) -------------------------------------------
# The monitoring system sends `Authorization: Bearer <METRICS_TOKEN>`; without it only a
# signed-in superuser may read them. Unset: nobody but superusers.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# /healthz/full: how long to wait for a worker's answer, and the ages that count as failing.
HEALTH_WORKER_TIMEOUT_SECONDS = env.float("HEALTH_WORKER_TIMEOUT_SECONDS", default=3.0)
HEALTH_BEAT_MAX_AGE_SECONDS = env.int("HEALTH_BEAT_MAX_AGE_SECONDS", default=180)
HEALTH_OUTBOX_MAX_AGE_SECONDS = env.int("HEALTH_OUTBOX_MAX_AGE_SECONDS", default=300)
HEALTH_MARKS_MAX_AGE_SECONDS = env.int("HEALTH_MARKS_MAX_AGE_SECONDS", default=900)

# --- Audit trail (django-auditlog; README "Audit") -------------------------------------------
# Who changed what, when: every model below gets a LogEntry (actor, address, the changed
# fields) on each create, update and delete, from the services and from the Django admin alike.
# tests/portal/test_audit.py requires every model the admin may change to be listed here.
# Never logged: password hashes, key hashes, and columns touched on every use.
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    {"model": "auth.Group", "m2m_fields": {"permissions"}},
    {"model": "portal.User", "exclude_fields": ["password", "last_login"]},
    {"model": "portal.Organisation", "exclude_fields": ["size_class"]},
    "portal.OrganisationAttributes",
    "portal.Unit",
    {"model": "portal.Network", "m2m_fields": {"organisations", "analysts"}},
    "portal.Membership",
    {"model": "portal.ApiToken", "exclude_fields": ["key_hash", "last_used_at"]},
    "portal.IdentityProvider",
    {"model": "portal.ExternalIdentity", "exclude_fields": ["last_login_at"]},
    "portal.OrganisationStatement",
    "indicators.PointScheme",
    "indicators.IndicatorPeriod",
    {"model": "ideas.Idea", "exclude_fields": ["updated_at"]},
    "ideas.Campaign",
    "ideas.EvaluationCriterion",
    "ideas.Tag",
    {"model": "notifications.NotificationPreference", "exclude_fields": ["updated_at"]},
)
# The address is read as the security log reads it (portal.middleware.AuditActorMiddleware).
AUDITLOG_DISABLE_REMOTE_ADDR = False
AUDITLOG_STORE_JSON_CHANGES = True
# Loading fixtures (loaddata) is nobody's change.
AUDITLOG_DISABLE_ON_RAW_SAVE = True

# --- E-mail -------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Innoportal <ikke-svar@innoportal.no>")

# --- REST API -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.conventions.exception_handler",
    "DEFAULT_METADATA_CLASS": "portal.api.pagination.ViewMetadata",
    # JSON bounded in size and depth (a deep body was a RecursionError, a 500); forms and
    # multipart as DRF's defaults, for the upload endpoints.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer",
                                 "rest_framework.renderers.BrowsableAPIRenderer"],
    # JSON bodies only: offering form and multipart beside JSON on every write made the schema
    # list three request bodies per operation, which generated clients cannot build (issue 15).
    # The upload endpoints name their multipart parser themselves.
    # JSON only (issue 15: one body type a generated client can follow), bounded in depth and
    # size (issue 13); the upload endpoints name their multipart parser themselves.
    "DEFAULT_PARSER_CLASSES": ["portal.api.parsers.BoundedJSONParser"],
    # The test client speaks the API's one body type unless a test says otherwise.
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Innoportal API",
    "DESCRIPTION": "Ideas, projects, benefits and the national innovation indicators.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "portal.api.schema.add_error_responses"],
    "ENUM_NAME_OVERRIDES": {"PhaseEnum": "initiatives.models.Phase",
                            "AssessmentKindEnum": "initiatives.models.AssessmentKind",
                            "BenefitStatusEnum": "gevinst.models.BenefitStatus",
                            "BenefitPlanStatusEnum": "gevinst.models.PlanStatus",
                            "SizeClassEnum": "portal.models.SizeClass",
                            "IndicatorStatusEnum": "indicators.models.PeriodStatus",
                            "IndicatorJobStateEnum": "indicators.models.JobState"},
}

# --- Security -----------------------------------------------------------------------------
SESSION_COOKIE_SECURE = not DEBUG and env.bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# Sessions live in PostgreSQL, never in Redis: a Redis outage must not log everybody out.
# Django's database sessions, reading the data version in the same query (portal.sessions).
SESSION_ENGINE = "portal.sessions"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = 0 if DEBUG else env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool(
    "BEHIND_TLS_PROXY", default=False) else None
# Probes and the Prometheus scrape may come over the internal network in plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^healthz/full$", r"^metrics$"]
X_FRAME_OPTIONS = "DENY"
# No inline scripts or styles anywhere: every script is a vendored or own static file.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
# Login throttling (portal.login_throttle): within LOGIN_THROTTLE_SECONDS, this many failed
# logins for one user name from one address lock the name at that address; this many for the
# name from anywhere lock it everywhere; this many from one address (a town hall's staff share
# one NAT address) make that address's invalid attempts answer 429, never valid credentials.
LOGIN_FAILURE_LIMIT_PER_USERNAME_AND_ADDRESS = env.int(
    "LOGIN_FAILURE_LIMIT_PER_USERNAME_AND_ADDRESS", default=5)
LOGIN_FAILURE_LIMIT_PER_USERNAME = env.int("LOGIN_FAILURE_LIMIT_PER_USERNAME", default=20)
LOGIN_FAILURE_LIMIT_PER_ADDRESS = env.int("LOGIN_FAILURE_LIMIT_PER_ADDRESS", default=30)
LOGIN_THROTTLE_SECONDS = env.int("LOGIN_THROTTLE_SECONDS", default=15 * 60)
# --- Single sign-on (portal.sso) --------------------------------------------------------------
# Identity providers from the environment: a JSON list, parsed strictly here (a mistake stops
# the start, naming the entry and field). More can be added in the admin. See the README.
SSO_PROVIDERS = parse_providers(env.str("SSO_PROVIDERS", default=""))
# Seconds to wait for a provider (discovery, keys, token endpoint) before the login fails.
SSO_HTTP_TIMEOUT = env.int("SSO_HTTP_TIMEOUT", default=10)
# How long a provider's discovery document and signing keys are cached (a key the cache does
# not know is fetched at once, so key rotation needs no wait).
SSO_DISCOVERY_CACHE_SECONDS = env.int("SSO_DISCOVERY_CACHE_SECONDS", default=3600)

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Logs: JSON lines (one object per record, python-json-logger) by default in production, so
# the log shipper needs no parsing rules; readable text for `dev.py run`. Every record carries
# the request id (portal.request_id), also in the Celery tasks a request starts.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}.")
# One line per request (method, path, status, duration, user id), with the request id; off in
# text mode, where runserver already prints each request.
LOG_REQUESTS = env.bool("LOG_REQUESTS", default=LOG_FORMAT == "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.request_id.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(task)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        },
        "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"],
                             "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
# The worker logs through LOGGING above (JSON, request ids), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
FORM_RENDERER = "portal.forms_renderer.DesignsystemetRenderer"
