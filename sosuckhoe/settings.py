"""The one settings module: every value comes from the environment, with embedded defaults.

With no variable set, sosuckhoe runs on SQLite in one process with a filesystem broker.
`SOSUCKHOE_MODE=production` turns on the strict checks: a real SECRET_KEY, explicit
ALLOWED_HOSTS, HTTPS-only cookies and JSON logs.
"""

import importlib.util
import os
import secrets
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from sosuckhoe.env import env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SOSUCKHOE_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

MODE = env_str("SOSUCKHOE_MODE", "embedded")
if MODE not in {"embedded", "production"}:
    raise ImproperlyConfigured(f"SOSUCKHOE_MODE must be 'embedded' or 'production', not {MODE!r}")
PRODUCTION = MODE == "production"
DEBUG = env_bool("DJANGO_DEBUG", False)


def _secret_key() -> str:
    key = env_str("SECRET_KEY", "")
    if key:
        if len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure"):
            raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters")
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY is required when SOSUCKHOE_MODE=production")
    # Embedded mode: a random key made once per installation, never a placeholder.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when SOSUCKHOE_MODE=production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "sosuckhoe.core",
    "sosuckhoe.places",
    "sosuckhoe.people",
    "sosuckhoe.accounts",
    "sosuckhoe.supply",
    "sosuckhoe.vaccination",
    "sosuckhoe.messaging",
    "sosuckhoe.imports",
    "sosuckhoe.certificates",
    "sosuckhoe.analytics",
    "sosuckhoe.console",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "sosuckhoe.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sosuckhoe.accounts.middleware.SessionRenewalMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # No django_otp OTPMiddleware: the sign-in form asks for the code, and nothing reads the
    # `user.is_verified()` it would add, at the price of a query per request of enrolled staff.
    # Put it back (here) for a view that needs it, such as an OTP-only admin site.
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sosuckhoe.urls"
WSGI_APPLICATION = "sosuckhoe.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "sosuckhoe" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite file by default; DATABASE_URL=postgres://… for the server.
DATABASE_URL = env_url(
    "DATABASE_URL",
    f"sqlite:///{VAR_DIR / 'sosuckhoe.sqlite3'}",
    schemes=("sqlite", "postgres", "postgresql"),
)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the web process read while the worker writes; IMMEDIATE avoids
    # "database is locked" on upgrade from a read to a write lock.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # The statements that the hot paths write once are prepared on their first run on a
    # connection (core.rows.planned_once; Django's own statements, bound on the client, never
    # are) and kept with one plan: PostgreSQL would otherwise plan them again for each run when
    # their parameter is an array, as the person's facts' is (0.55 ms of planning for 0.08 ms
    # of running).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["prepare_threshold"] = 0
    options["options"] = f"{options.get('options', '')} -c plan_cache_mode=force_generic_plan"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache (staff units and subtree ids, sosuckhoe/places/cache.py): shared by every process on
# Redis when REDIS_URL is a redis:// address, else each process's own memory.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "sosuckhoe",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Accounts
AUTH_USER_MODEL = "accounts.StaffUser"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "sosuckhoe.accounts.backends.StaffBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:home"
# A staff session ends after this many idle seconds (to within a minute). Sessions stay in the
# database, so that signing out or deactivating an account ends them in every process: a
# cached_db engine on the embedded per-process cache would let another worker accept a
# signed-out session. Writing the row on every request (SESSION_SAVE_EVERY_REQUEST: an UPDATE
# and a commit) was measured at about a quarter of a console page that does nothing, so
# SessionRenewalMiddleware renews the expiry at most once a minute (docs/performance.md).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1) / 60
# Lock the account being guessed, not the address: a whole health station often shares one
# NAT address, and locking it would stop every colleague from signing in.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "console/locked_out.html"
AXES_VERBOSE = False

# Internationalisation: Vietnamese first, English second; stored in UTC, shown in Vietnam time.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns at start-up about a missing folder
# Browser libraries from npm (package.json), installed by `make setup`, served as our own files;
# plotly.js as the Python package installs it (pyproject.toml), found without importing it;
# the province polygons of the dashboards' maps (analytics/data, with their licence).
_PLOTLY_DIR = Path(importlib.util.find_spec("plotly").submodule_search_locations[0])  # type: ignore[union-attr, index]
STATICFILES_DIRS = [
    ("jsqr", BASE_DIR / "node_modules" / "jsqr" / "dist"),
    ("plotly", _PLOTLY_DIR / "package_data"),
    ("boundaries", BASE_DIR / "sosuckhoe" / "analytics" / "data" / "vn-boundaries"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Security: no inline script or style, nothing from another origin. The one hash is that of
# an empty <style>: plotly.js (the dashboards) creates one and fills it through the CSSOM,
# which CSP leaves to scripts, and scripts come from 'self' only; it draws a chart's PNG
# from a blob: image that our own script made.
EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", EMPTY_STYLE_HASH],
        "img-src": ["'self'", "data:", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading binds the whole domain (often a province's gov.vn, shared with other
        # services) to HTTPS in browsers for good: the domain's owner decides, not this app.
        SILENCED_SYSTEM_CHECKS.append("security.W021")

# REST API (sosuckhoe/api): per-staff tokens or the console's session, JSON only, every
# error as {"code", "message", "fields"}, throttled per token at API_THROTTLE_RATE.
API_THROTTLE_RATE = env_str("API_THROTTLE_RATE", "6000/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "sosuckhoe.api.authentication.TokenAuthentication",
        "sosuckhoe.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["sosuckhoe.api.permissions.ReadsPersonalData"],
    "DEFAULT_THROTTLE_CLASSES": ["sosuckhoe.api.throttling.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "sosuckhoe.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "sosuckhoe API",
    "DESCRIPTION": "Vaccination records of the province's staff: `Authorization: Token <key>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "DoseKindEnum": "sosuckhoe.supply.schedule.DoseKind",
        "VoidKindEnum": "sosuckhoe.vaccination.models.VoidKind",
        "ScreeningOutcomeEnum": "sosuckhoe.vaccination.models.ScreeningOutcome",
        "ReactionOutcomeEnum": "sosuckhoe.vaccination.models.ReactionOutcome",
    },
}

# Background work: Celery on Redis/RabbitMQ in production, on a folder with no server embedded.
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env_url(
    "CELERY_BROKER_URL",
    env_str("REDIS_URL", "filesystem://"),
    schemes=("filesystem", "redis", "rediss", "amqp", "amqps", "memory"),
)
if CELERY_BROKER_URL.startswith("filesystem"):
    BROKER_DIR.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR),
        "data_folder_out": str(BROKER_DIR),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        # Broadcast messages (worker control); kombu's default is a folder in the current one.
        "control_folder": str(BROKER_DIR / "control"),
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Periodic tasks, all in one place (run by `celery beat` or a worker started with -B); times
# are Asia/Ho_Chi_Minh (CELERY_TIMEZONE).
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # People overdue per commune (analytics/overdue.py), before the warnings read them.
    "overdue-daily": {
        "task": "sosuckhoe.analytics.tasks.overdue_daily",
        "schedule": crontab(minute=0, hour=2),
    },
    # The warnings' rules, their messages and the daily digest, before the working day.
    "warnings-daily": {
        "task": "sosuckhoe.analytics.tasks.warnings_daily",
        "schedule": crontab(minute=30, hour=6),
    },
    # Yesterday's reports to their subscribers (analytics/subscriptions.py), before 8:00.
    "reports-send": {
        "task": "sosuckhoe.analytics.tasks.reports_send",
        "schedule": crontab(minute=0, hour=7),
    },
    # Exported files past their time (EXPORT_RETENTION_HOURS) deleted, even when nobody
    # exports again to trigger it.
    "exports-purge": {
        "task": "sosuckhoe.imports.tasks.purge_export_files",
        "schedule": crontab(minute=15),
    },
}
# Scheduled reports leave through their own mail backend (attachments: the messaging backends
# send text only). With no mail server (the embedded default) they are written as files to
# var/outbox; production sets django.core.mail.backends.smtp.EmailBackend (EMAIL_HOST etc.).
REPORT_EMAIL_BACKEND = env_str(
    "REPORT_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = VAR_DIR / "outbox"

# Imports (sosuckhoe/imports): uploaded lists are kept in var/imports (personal data, never
# served as static files) until their job ends plus the retention, then deleted.
IMPORT_DIR = Path(env_str("IMPORT_DIR", str(VAR_DIR / "imports")))
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 50 * 1024 * 1024, minimum=1)
# What an .xlsx (a zip) may unpack to: a small file that unpacks to gigabytes is a zip bomb.
IMPORT_MAX_UNPACKED_BYTES = env_int("IMPORT_MAX_UNPACKED_BYTES", 1024 * 1024 * 1024, minimum=1)
IMPORT_RETENTION_HOURS = env_int("IMPORT_RETENTION_HOURS", 72, minimum=0)
# A running import whose last chunk committed longer ago than this lost its worker.
IMPORT_STALE_SECONDS = env_int("IMPORT_STALE_SECONDS", 600, minimum=1)
# Parts of a list that `import_file` imports side by side on PostgreSQL (imports/parts.py),
# one process each: one a core, the database's work included.
IMPORT_WORKERS = env_int("IMPORT_WORKERS", min(os.cpu_count() or 1, 4), minimum=1)
# Exports (sosuckhoe/imports/exports.py): the file of a finished export may be downloaded by
# whoever asked for it this long, then it is deleted.
EXPORT_RETENTION_HOURS = env_int("EXPORT_RETENTION_HOURS", 24, minimum=1)

# Messaging: like Django's e-mail backends, chosen here.
MESSAGING_BACKEND = env_str("MESSAGING_BACKEND", "sosuckhoe.messaging.backends.ConsoleBackend")
MESSAGING_SMS_EMAIL_DOMAIN = env_str("MESSAGING_SMS_EMAIL_DOMAIN", "")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "sosuckhoe@localhost")

# Warnings (sosuckhoe/analytics/warnings.py): what makes each rule raise one. Counts of days and
# people come from the environment; the statistical thresholds are the published screening
# rules and change only with the method (a change of code, reviewed).
WARNING_SERIOUS_REACTION_DAYS = env_int("WARNING_SERIOUS_REACTION_DAYS", 7, minimum=1)
# Reaction signals look at the reactions after the doses of the last 90 days.
WARNING_SIGNAL_DAYS = env_int("WARNING_SIGNAL_DAYS", 90, minimum=7)
# Evans et al. 2001 (the MHRA's screening rule): PRR ≥ 2 with Yates' χ² ≥ 4 and 3 reports.
WARNING_PRR_MIN = 2.0
WARNING_CHI2_MIN = 4.0
WARNING_PRR_N_MIN = env_int("WARNING_PRR_N_MIN", 3, minimum=1)
# A lot with doses on hand that expires within 30 days: time to use or move it.
WARNING_EXPIRY_DAYS = env_int("WARNING_EXPIRY_DAYS", 30, minimum=1)
# Stock that lasts fewer than 7 days at the use rate of the last 14: time to order.
WARNING_STOCK_OUT_DAYS = env_int("WARNING_STOCK_OUT_DAYS", 7, minimum=1)
WARNING_USE_RATE_DAYS = env_int("WARNING_USE_RATE_DAYS", 14, minimum=1)
# Data quality looks at the doses recorded in the last day (the daily run's; a longer window
# counts a dose again under the next day's key): an age over 120 on the dose's day, or a dose
# of the same vaccine fewer than 14 days after another (no schedule repeats a vaccine sooner).
WARNING_QUALITY_DAYS = env_int("WARNING_QUALITY_DAYS", 1, minimum=1)
WARNING_MAX_AGE = env_int("WARNING_MAX_AGE", 120, minimum=1)
WARNING_MIN_INTERVAL_DAYS = env_int("WARNING_MIN_INTERVAL_DAYS", 14, minimum=1)
# People overdue: a commune with at least 1 resident more than 14 days past the window of their
# next dose (two weeks: a session or two missed, not a late day), in the daily count
# (analytics/overdue.py) of the last 2 days (a count older than that is stale); raised once a
# week while there are some.
WARNING_OVERDUE_MIN = env_int("WARNING_OVERDUE_MIN", 1, minimum=1)
WARNING_OVERDUE_DAYS = env_int("WARNING_OVERDUE_DAYS", 14, minimum=0)
WARNING_OVERDUE_COUNT_DAYS = env_int("WARNING_OVERDUE_COUNT_DAYS", 2, minimum=1)
# A unit behind its coverage plan: at its pace of the last 14 days it reaches the planned
# coverage more than 7 days after the plan's date (a pace over 14 days moves by a week with
# one busy or one missed session day), or never; raised once a week per plan while it is so.
WARNING_PLAN_SLACK_DAYS = env_int("WARNING_PLAN_SLACK_DAYS", 7, minimum=0)
# CDC EARS C2 on daily counts: a day more than 3 standard deviations above its baseline, the
# standard deviation raised to at least 0.5 (a baseline of zeros would make one case a surge).
WARNING_EARS_THRESHOLD = 3.0
WARNING_EARS_MIN_SIGMA = 0.5


# Vaccination certificates (sosuckhoe/certificates). The document-signer keys are stored
# encrypted with CERTIFICATE_KEY_PASSPHRASE: in production it must be set before
# `signer_create` runs or a certificate is issued (they refuse without it); embedded, a random
# one is made once per installation in var/, like SECRET_KEY. Losing it loses the keys.
def _certificate_key_passphrase() -> str:
    value = env_str("CERTIFICATE_KEY_PASSPHRASE", "")
    if value or PRODUCTION:
        return value
    passphrase_file = VAR_DIR / "certificate_key_passphrase"
    if not passphrase_file.exists():
        passphrase_file.write_text(secrets.token_urlsafe(32))
        passphrase_file.chmod(0o600)
    return passphrase_file.read_text().strip()


CERTIFICATE_KEY_PASSPHRASE = _certificate_key_passphrase()
CERTIFICATE_VALIDITY_MONTHS = env_int("CERTIFICATE_VALIDITY_MONTHS", 12, minimum=1)
CERTIFICATE_SIGNER_VALIDITY_DAYS = env_int("CERTIFICATE_SIGNER_VALIDITY_DAYS", 730, minimum=1)
CERTIFICATE_COUNTRY = "VN"
# The DCC `is` field (at most 80 characters) and the signer certificates' organisation.
CERTIFICATE_ISSUER = env_str("CERTIFICATE_ISSUER", "Ministry of Health of Viet Nam")

# Logs: readable lines embedded, JSON lines in production.
LOG_FORMAT = env_str("LOG_FORMAT", "json" if PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["stderr"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # Django logs every 4xx answer as a warning: a refused booking, a form with an error, a
        # page outside the reader's scope. Those are the platform answering as designed (each
        # is in the access log with its status, sign-in failures in axes'); 5xx stay errors.
        "django.request": {"level": env_str("LOG_REQUEST_LEVEL", "ERROR")},
    },
}
