"""Pandu settings. Everything that differs between machines comes from the environment."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Off unless asked for: a server started without it must never show a traceback (with the NIKs
# of the request) to a browser. `make run`, `make test` and the test settings turn it on.
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY must be set when DEBUG is false (for development: make run, or DEBUG=true)")
    SECRET_KEY = "dev-only-insecure-key-for-make-run-and-tests-never-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "import_export",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "procrastinate.contrib.django",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # In layers, from the ground up (docs/development.md): the core, the registry, the queue,
    # referrals and verivali, then the office that composes them.
    "pandu",
    "clients",
    "desks",
    "referrals",
    "verivali",
    "pandu.office",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "pandu.sessions.SessionLifetimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "pandu.middleware.SecurityHeadersMiddleware",
    "pandu.accounts.ForcePasswordChangeMiddleware",
    "pandu.second_factor.SecondFactorMiddleware",
    "axes.middleware.AxesMiddleware",
    "pandu.replica.WriteMarkMiddleware",
]

ROOT_URLCONF = "pandu.urls"
WSGI_APPLICATION = "pandu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["pandu.templatetags.people"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pandu.context_processors.office",
            ],
        },
    },
]

if os.environ.get("DATABASE_URL"):
    _database_url = os.environ["DATABASE_URL"]
else:
    from pandu.embedded_db import embedded_url

    _database_url = embedded_url()
# Pooled connections (psycopg_pool, Django's own pool): DB_POOL_MAX_SIZE > 0 turns it on; each
# app server process keeps between DB_POOL_MIN_SIZE and DB_POOL_MAX_SIZE connections (docs/deploy.md
# sizes them from the server's workers and threads). Without it, one persistent connection per thread.
DB_POOL_MIN_SIZE = int(os.environ.get("DB_POOL_MIN_SIZE", "1"))
DB_POOL_MAX_SIZE = int(os.environ.get("DB_POOL_MAX_SIZE", "0"))
DB_POOL_TIMEOUT = float(os.environ.get("DB_POOL_TIMEOUT", "10"))


def _database(url: str) -> dict:
    database = dj_database_url.parse(url, conn_max_age=0 if DB_POOL_MAX_SIZE else 60)
    database["CONN_HEALTH_CHECKS"] = not DB_POOL_MAX_SIZE
    if env_bool("PGBOUNCER_TRANSACTION_MODE", False):  # docs/deploy.md, "Pooled connections"
        database["DISABLE_SERVER_SIDE_CURSORS"] = True
        database.setdefault("OPTIONS", {})["prepare_threshold"] = None
    if DB_POOL_MAX_SIZE:
        database.setdefault("OPTIONS", {})["pool"] = {
            "min_size": DB_POOL_MIN_SIZE, "max_size": DB_POOL_MAX_SIZE, "timeout": DB_POOL_TIMEOUT,
        }
    return database


DATABASES = {"default": _database(_database_url)}
# A streaming replica for the reports (pandu/replica.py has the one rule; docs/deploy.md).
REPLICA_MAX_LAG_SECONDS = float(os.environ.get("REPLICA_MAX_LAG_SECONDS", "30"))
REPLICA_CHECK_SECONDS = float(os.environ.get("REPLICA_CHECK_SECONDS", "5"))
REPLICA_READ_YOUR_WRITES_SECONDS = int(os.environ.get("REPLICA_READ_YOUR_WRITES_SECONDS", "10"))
if os.environ.get("REPLICA_DATABASE_URL"):
    DATABASES["replica"] = _database(os.environ["REPLICA_DATABASE_URL"])
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 3
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["pandu.replica.ReplicaRouter"]
if os.environ.get("PANDU_TEST_DATABASE"):  # two test runs side by side on one server
    DATABASES["default"]["TEST"] = {"NAME": os.environ["PANDU_TEST_DATABASE"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: five wrong passwords for one user from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Second factor (TOTP, django-otp) for the roles that can export the whole registry
# (pandu.roles.SECOND_FACTOR_ROLES; pandu/second_factor.py). Wrong codes lock like wrong
# passwords: AXES_FAILURE_LIMIT of them lock the account's second factor for AXES_COOLOFF_TIME,
# with a message that says until when; django-otp's own growing delay is off, so a right code
# after a typo is not refused without a word.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Pandu")
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
SECOND_FACTOR_RECOVERY_CODES = 10

# Sessions end after inactivity that polling does not interrupt (default 30 minutes), 12 hours
# after the login whatever happens, and when the browser closes (pandu/sessions.py).
SESSION_IDLE_SECONDS = int(os.environ.get("SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_ABSOLUTE_SECONDS = int(os.environ.get("SESSION_ABSOLUTE_SECONDS", str(12 * 3600)))
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# The client's address, for the audit log and the login throttle: REMOTE_ADDR, or behind
# trusted proxies the last address in X-Forwarded-For that is not one of them (pandu/http.py).
# BEHIND_PROXY alone trusts a proxy on this machine.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "127.0.0.1,::1" if env_bool("BEHIND_PROXY", False) else "")
AXES_CLIENT_IP_CALLABLE = "pandu.http.client_ip"

# Registry import files, error reports and preview rows (whole rows with NIKs) are deleted this
# many days after the import (pandu/office/retention.py).
IMPORT_RETENTION_DAYS = int(os.environ.get("IMPORT_RETENTION_DAYS", "90"))

# A desk officer keeps access to a person this many days after their provider's last referral
# of the person closed (docs/security.md, "Who sees what").
REFERRAL_ACCESS_GRACE_DAYS = int(os.environ.get("REFERRAL_ACCESS_GRACE_DAYS", "30"))
# An outcome, rejection or return is news for every front-desk and data officer who has not
# opened it, for this many days.
OUTCOME_NEWS_DAYS = int(os.environ.get("OUTCOME_NEWS_DAYS", "30"))
# When a referral of an open case is granted, a follow-up "did the aid reach the citizen?" is
# planned this many working days later (pandu/workdays.py) (docs/referrals.md, "Case management").
FOLLOW_UP_AFTER_GRANT_DAYS = int(os.environ.get("FOLLOW_UP_AFTER_GRANT_DAYS", "30"))

# The queue calls priority tickets (elderly, disability, pregnant, with a baby) first; after
# this many priority calls in a row at a desk, the next call is first come, first served, so a
# regular ticket is never starved (docs/queue.md).
QUEUE_PRIORITY_STREAK = int(os.environ.get("QUEUE_PRIORITY_STREAK", "3"))

# Registry searches per user: enough for typing at a desk, too few to harvest the registry.
SEARCH_LIMIT_PER_MINUTE = int(os.environ.get("SEARCH_LIMIT_PER_MINUTE", "60"))
SEARCH_LIMIT_PER_HOUR = int(os.environ.get("SEARCH_LIMIT_PER_HOUR", "600"))
# The citizens' status check (no login): look-ups per client address in a sliding window; the
# office's own kiosks (addresses or networks) get more, as many citizens share one
# (docs/security.md, "The citizens' status check").
STATUS_CHECK_LIMIT = int(os.environ.get("STATUS_CHECK_LIMIT", "10"))
STATUS_CHECK_WINDOW_SECONDS = int(os.environ.get("STATUS_CHECK_WINDOW_SECONDS", "600"))
STATUS_CHECK_KIOSKS = env_list("STATUS_CHECK_KIOSKS", "")
STATUS_CHECK_KIOSK_LIMIT = int(os.environ.get("STATUS_CHECK_KIOSK_LIMIT", "60"))

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Makassar"  # WITA
USE_I18N = True
USE_TZ = True
# Numbers are grouped where a template asks (intcomma); ids in attributes and forms must never be ("2.436").
USE_THOUSAND_SEPARATOR = False
FORMAT_MODULE_PATH = ["pandu.formats"]

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
try:
    import xstatic.pkg.bootstrap as _xbootstrap

    STATICFILES_DIRS.append(("bootstrap", _xbootstrap.BASE_DIR))
except ImportError:  # pragma: no cover - installed by `make`
    pass
# Dexie (IndexedDB for the surveyors' offline app, docs/verivali.md) is a runtime dependency from
# the npm registry (package.json; `make install` runs npm ci): its dist folder is served as
# static/dexie/. Without npm the folder is missing and `manage.py check` warns (staticfiles.W004).
STATICFILES_DIRS.append(("dexie", BASE_DIR / "node_modules" / "dexie" / "dist"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Private media (photos, attachments): never under a public URL. Views that check
# permissions stream them; MEDIA_URL is deliberately not routed.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / ".data" / "media"))
MEDIA_URL = "/private-media-not-served/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
UPLOAD_IMAGE_MAX_BYTES = int(os.environ.get("UPLOAD_IMAGE_MAX_BYTES", str(8 * 1024 * 1024)))
UPLOAD_IMAGE_MAX_PIXELS = int(os.environ.get("UPLOAD_IMAGE_MAX_PIXELS", str(40_000_000)))
# Days after a case closes (every referral ended) or a verivali batch's decree before
# `manage.py apply_retention` deletes their attachments and survey photos.
RETENTION_DAYS = int(os.environ.get("RETENTION_DAYS", "730"))

# Background jobs (pandu/jobs.py): a worker writes a heartbeat every JOBS_HEARTBEAT_SECONDS;
# the job of a worker silent for JOBS_STALLED_AFTER_SECONDS is queued again (checked on the
# schedule JOBS_STALLED_CHECK_CRON, UTC cron, a sixth field for seconds).
JOBS_HEARTBEAT_SECONDS = float(os.environ.get("JOBS_HEARTBEAT_SECONDS", "10"))
JOBS_STALLED_AFTER_SECONDS = float(os.environ.get("JOBS_STALLED_AFTER_SECONDS", "60"))
JOBS_STALLED_CHECK_CRON = os.environ.get("JOBS_STALLED_CHECK_CRON", "* * * * *")
# Procrastinate imports every app's tasks.py; these modules hold tasks of no app.
PROCRASTINATE_IMPORT_PATHS = ["pandu.jobs"]  # and every app's tasks.py (pandu/office/tasks.py: the nightly work)
PROCRASTINATE_WORKER_DEFAULTS = {
    "update_heartbeat_interval": JOBS_HEARTBEAT_SECONDS,
    "stalled_worker_timeout": JOBS_STALLED_AFTER_SECONDS,
    # a finished job's row goes; a failed one stays for the administrator (Django admin)
    "delete_jobs": "successful",
}

# The agencies' API (api/, docs/api.md): tokens per provider, no sessions, JSON only; one error
# format (api/errors.py); a burst beyond API_RATE per token gets 429.
API_RATE = os.environ.get("API_RATE", "120/min")
API_IDEMPOTENCY_HOURS = int(os.environ.get("API_IDEMPOTENCY_HOURS", "24"))
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10"))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ProviderTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["api.paging.TokenRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Pandu API for agency systems",
    "DESCRIPTION": (
        "Referrals from the district's integrated social-welfare office (UPTD-PTKS) to your agency: read them, "
        "answer them (receive, accept, reject, return, complete), exchange documents. Authenticate with "
        "`Authorization: Token <token>`. Errors, idempotency, versions (If-Match) and webhooks: docs/api.md."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"ReferralStatusEnum": "referrals.models.Referral.Status"},
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.add_links"],
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Security headers. Behind TLS in production; the office LAN may terminate TLS at a proxy.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The office's identity (pandu/identity.py): what the administrator leaves empty in the admin's
# "Office identity" comes from here. OFFICE_REGENCY is the regency (Kemendagri code) whose
# kecamatan and villages `load_reference_data` loads when not told `--regency`.
OFFICE_NAME = os.environ.get("OFFICE_NAME", "UPTD-PTKS Pandu Gempita Kabupaten Berau")
OFFICE_ADDRESS = os.environ.get("OFFICE_ADDRESS", "Jl. Pemuda, Tanjung Redeb, Kabupaten Berau, Kalimantan Timur")
OFFICE_REGENCY = os.environ.get("OFFICE_REGENCY", "64.03")
OFFICE_CITY = os.environ.get("OFFICE_CITY", "Tanjung Redeb")
OFFICE_HEAD_NAME = os.environ.get("OFFICE_HEAD_NAME", "")
OFFICE_HEAD_NIP = os.environ.get("OFFICE_HEAD_NIP", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
