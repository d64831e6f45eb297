"""Settings for OpenEPaCCS, read from the environment through django-environ.

The embedded default (no environment at all) is a safe development set-up: SQLite, DEBUG on,
console email. Anything set in the environment is parsed strictly: a malformed value stops
start-up with the variable's name rather than being silently replaced by a default.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env.smart_cast = False  # a value is parsed by the type we ask for, never guessed


def _bool(name: str, default: bool) -> bool:
    """Read a boolean strictly: only true/false/1/0/yes/no/on/off are accepted."""
    raw = env.str(name, default=str(default)).strip().lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


DEBUG = _bool("DEBUG", default=True)

_DEV_SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY or (not DEBUG and SECRET_KEY == _DEV_SECRET_KEY):
    raise ImproperlyConfigured("SECRET_KEY must be set to a secret value when DEBUG is false")
if not DEBUG and len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters when DEBUG is false")

ALLOWED_HOSTS: list[str] = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is false")
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Only behind our own reverse proxy: then its X-Forwarded-* headers are believed.
BEHIND_PROXY = _bool("BEHIND_PROXY", default=False)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "guardian",
    "simple_history",
    "axes",
    "django_htmx",
    "frontend",
    "audit",
    "organisations",
    "patients",
    "consent",
    "register",
    "careplans",
    "portal",
    "reminders",
    "reports",
    "coordination",
    "deaths",
    "practice",
    "carers",
    "profiles",
    "interop",
    "demo",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "organisations.middleware.SessionLifetimeMiddleware",
    "organisations.middleware.NoStoreForSignedInMiddleware",
    "organisations.middleware.ActingMembershipMiddleware",
    "portal.middleware.PatientAccountMiddleware",
    "audit.middleware.AuditContextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees a failed sign-in after the view has handled it.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "organisations.context_processors.acting_membership_context",
                "portal.context_processors.patient_account_context",
                "reminders.context_processors.unread_notifications",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
_SUPPORTED_DATABASES = {"django.db.backends.postgresql", "django.db.backends.sqlite3"}
if DATABASES["default"]["ENGINE"] not in _SUPPORTED_DATABASES:
    raise ImproperlyConfigured(
        "DATABASE_URL must be a postgres:// or sqlite:// URL, "
        f"not {DATABASES['default']['ENGINE']!r}"
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Keep each worker's database connection between requests: opening one (with a SCRAM
# password exchange) costs more than a whole emergency summary. Checked before reuse.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# core.db.prepared_cursor asks PostgreSQL to keep a statement prepared (planned once per
# connection). psycopg prepares nothing unless a threshold is set, and then, past it, would
# prepare Django's own statements too if they bound their values on the server; they bind
# them on the client and never are. So the threshold is out of reach, and only statements
# asked for are prepared. DB_PREPARED_STATEMENTS=false behind a pooler that cannot keep
# prepared statements (PgBouncer in transaction mode before 1.21).
PREPARED_STATEMENTS = _bool("DB_PREPARED_STATEMENTS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and PREPARED_STATEMENTS:
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 2**31 - 1
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "openepaccs",
        }
    }
    # Sessions live in Redis when there is one: no database read and write on every page.
    # A Redis restart signs people out; queued tasks are redone by the next daily sweep.
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "organisations:sign_in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "organisations:sign_in"

# Sessions end 29 to 30 minutes after the last request, and 12 hours after sign-in whatever
# happens (organisations.middleware.SessionLifetimeMiddleware enforces the second).
SESSION_COOKIE_AGE = int(timedelta(minutes=30).total_seconds())
# Saved when changed; a signed-in session is changed at least once a minute while in use
# (organisations.middleware.REFRESH_EVERY), so that it stays alive without a write per page.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_LIFETIME = timedelta(hours=12)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Failed sign-ins: five wrong passwords for one username from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
# Per client address (django-ratelimit), whatever the username: failed sign-ins (password
# spraying), and anonymous requests for online access. A ward's shared address stays well
# inside both.
SIGN_IN_FAILURES_PER_ADDRESS = env.str("SIGN_IN_FAILURES_PER_ADDRESS", default="30/15m")
ACCOUNT_REQUESTS_PER_ADDRESS = env.str("ACCOUNT_REQUESTS_PER_ADDRESS", default="5/h")
RATELIMIT_USE_CACHE = "default"
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "organisations/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "audit.origin.client_ip"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False  # usernames stay out of the access log table

ANONYMOUS_USER_NAME = None  # no guardian anonymous user: nobody unsigned sees anything
# Change reasons name the consent basis of each change, which does not fit in 100 characters.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
if not DEBUG:
    SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", default=True)
    if BEHIND_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if _bool("STATIC_MANIFEST", default=False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Where links in emails sent without a request (reminders) point: the service's own address.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Celery (config/celery.py). With no Redis there is no broker: tasks run eagerly, in-process.
# Give the broker a Redis database of its own in production (docker-compose.yml), so that
# clearing the cache can never drop queued tasks.
# Without Redis, tasks run eagerly; the in-memory broker is named in full (with a host) so
# that kombu does not warn about a missing hostname on every command.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://localhost/")
CELERY_TASK_ALWAYS_EAGER = _bool("CELERY_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None  # tasks change the database; nobody waits for a result
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Europe/London"
CELERY_ENABLE_UTC = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged after it has run, so a worker that dies mid-task leaves it to
# another; tasks are safe to run twice (unique constraints), so a repeat is harmless.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=540)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=600)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)  # seconds: a hung mail server frees the worker
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Retries, for the named faults each task lists: how many, and the back-off between them
# (exponential from the first delay, capped).
REMINDER_RETRY_LIMIT = env.int("REMINDER_RETRY_LIMIT", default=5)
REMINDER_RETRY_FIRST_DELAY = env.int("REMINDER_RETRY_FIRST_DELAY", default=60)  # seconds
REMINDER_RETRY_MAX_DELAY = env.int("REMINDER_RETRY_MAX_DELAY", default=3600)  # seconds
# Redis redelivers a task not acknowledged within this time: longer than any retry's delay,
# so that a waiting retry is not delivered twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": REMINDER_RETRY_MAX_DELAY + 3600}

# Working locally (DEBUG, make run), emails are written to files in var/mail/, one file
# per batch, rather than over the console; a deployment sets EMAIL_URL to its mail server.
if DEBUG and not env.str("EMAIL_URL", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = BASE_DIR / "var" / "mail"
else:
    vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="OpenEPaCCS <no-reply@openepaccs.invalid>"
)

# The audit chain keeps events without a patient in this many streams, picked by actor, so
# that unrelated requests do not queue on one lock (DESIGN §6).
AUDIT_ACTOR_STREAMS = 16
# The audit chain is an HMAC-SHA256 chain: without this key nobody can forge a valid event.
# Keep it out of the database (and apart from SECRET_KEY, so that rotating that one does not
# break verification of the old log).
_DEV_AUDIT_KEY = "insecure-development-audit-chain-key"
AUDIT_CHAIN_KEY = env.str("AUDIT_CHAIN_KEY", default=_DEV_AUDIT_KEY if DEBUG else "")
if not DEBUG and (not AUDIT_CHAIN_KEY or AUDIT_CHAIN_KEY == _DEV_AUDIT_KEY):
    raise ImproperlyConfigured("AUDIT_CHAIN_KEY must be set to a secret value when DEBUG is false")

DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="openepaccs-demo")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {
        "no_nhs_numbers": {"()": "config.log_filters.NhsNumberFilter"},
        "one_line_refusals": {"()": "config.log_filters.OneLineRefusals"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["one_line_refusals", "no_nhs_numbers"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Request logs carry URLs only; URLs carry UUIDs, never names or NHS numbers.
    # WeasyPrint and fontTools narrate every PDF at INFO, including the text being laid out.
    "loggers": {
        # Django's own loggers through the one handler (and its filter), once each.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Celery's own INFO lines carry task arguments; ours are ids only, but keep it quiet.
        "celery": {"level": "WARNING"},
    },
}

# SQLite (make run) ignores the INCLUDE columns of covering indexes; PostgreSQL uses them.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# The REST API (/api/v1/): people by session (their acting role), systems by token; one
# permission, throttled per caller; OpenAPI by drf-spectacular, its docs page served here.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "organisations.rest.TokenAuthentication",
        "organisations.rest.ActingSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["organisations.rest.IsActing"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["organisations.rest.PerCallerThrottle"],
    "DEFAULT_THROTTLE_RATES": {"caller": env.str("API_RATE", default="600/minute")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_METADATA_CLASS": None,  # OPTIONS: 405, not a description of each view
    "EXCEPTION_HANDLER": "organisations.rest_errors.handle_exception",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OpenEPaCCS API",
    "DESCRIPTION": "Palliative and end of life care plans: the same rules and audit as the "
    "pages. Objects the caller may not see are 404.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}


# Content-Security-Policy on every response (django-csp): scripts and styles from this
# service only, never inline script; the report's bars set their width in a style attribute.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Nothing the service does needs these; passkeys (WebAuthn) are this site's own.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "accelerometer": [],
    "autoplay": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "usb": [],
    "publickey-credentials-get": ["self"],
}


# Two-factor sign-in for staff (django-otp: an authenticator app's codes, recovery codes;
# django-otp-webauthn: passkeys and security keys). Required outside development, where
# `make run`'s demo signs in with a password alone.
STAFF_TWO_FACTOR = env.bool("STAFF_TWO_FACTOR", default=not DEBUG)
OTP_TOTP_ISSUER = "OpenEPaCCS"
OTP_WEBAUTHN_RP_NAME = "OpenEPaCCS"
OTP_WEBAUTHN_RP_ID = env.str("WEBAUTHN_RP_ID", default="localhost")
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list("WEBAUTHN_ORIGINS", default=["http://localhost:8000"])
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False  # a second factor, after the password
# Re-entering the password before emergency access and before making or approving a system
# token: a session left open is not enough for either.
REAUTHENTICATE_WITHIN = timedelta(minutes=5)
