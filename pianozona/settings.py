"""Settings for pianozona, read once from the environment.

With nothing set the app runs on an embedded default: SQLite next to the
project and Celery tasks executed eagerly in the web process. ``DATABASE_URL``
(``postgres://…`` or ``sqlite:///path``) and ``CELERY_BROKER_URL``
(``redis://…``) switch to the real services.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set: production refuses to start without a secret key "
            "(set DJANGO_DEBUG=1 for a local development run)."
        )
    SECRET_KEY = "insecure-development-key-only-for-DJANGO_DEBUG"  # noqa: S105

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "import_export",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    # Floors, each importing only those below it (docs/architecture.md).
    # Ground floor: what every app uses; imports no app of the project.
    "core",
    # Domain apps.
    "governance",
    "objectives",
    "budget",
    "indicators",
    "classification",
    # Feature apps, composing the domains.
    "reports",
    "exports",
    "backup",
    "synthetic",
    "security",
    "seeds",
    "planning",
    "returns",
    # The project package keeps only the migrations of the report jobs' old home.
    "pianozona",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Early, so that every answer carries the policy (the 503 page below included).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Database down: an Italian 503 page (JSON for the API) instead of a traceback.
    "core.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "security.sessions.SessionExpiryMiddleware",
    "security.otp.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: it turns a lockout flagged during the view into the page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pianozona.urls"
WSGI_APPLICATION = "pianozona.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Session settings of every app connection (issue 22, measured by make bench): no JIT (it
    # compiled for 1 of 1.5 s of an export chunk and gains nothing on short queries); the
    # web process (wsgi.py) adds a statement timeout, Celery and manage.py keep none.
    _session = [f"jit={'on' if env.bool('DATABASE_JIT', default=False) else 'off'}"]
    if env.int("DATABASE_STATEMENT_TIMEOUT_MS", default=0) > 0:
        _session.append(f"statement_timeout={env.int('DATABASE_STATEMENT_TIMEOUT_MS')}")
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = " ".join([_options.get("options", ""),
                                    *(f"-c {setting}" for setting in _session)]).strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The covering index of budget lines (INCLUDE amounts) is a PostgreSQL refinement;
    # SQLite builds the plain index, which is all the embedded default needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
    # Several users at once (issue 18): readers beside one writer (WAL), a writer waits
    # for the lock instead of failing at once, and a request's transaction takes the write
    # lock when it starts, so two never deadlock upgrading a read lock ("database is locked").
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    })

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "security.passwords.ItalianMinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "it"
LANGUAGES = [("it", "Italiano")]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True
# Off: with it on, every integer a template prints is grouped (ids in attributes, years
# as "2.018"). Money and measures are formatted explicitly (core/numbers.py).
USE_THOUSAND_SEPARATOR = False
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded acts and rendered reports live outside the web root and are only
# served through views that check permissions.
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL = "/media/"

ADMIN_URL = env.str("DJANGO_ADMIN_URL", default="admin/")
LOGIN_URL = "admin:login"

# Uploads (imports, attached acts): size and type are checked by core/uploads.py.
UPLOAD_MAX_BYTES = env.int("DJANGO_UPLOAD_MAX_MB", default=10) * 1024 * 1024
# Bigger files spill to a private temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

# Login throttling (django-axes). Failures are counted per username *and* IP address
# together: someone guessing a mayor's password from elsewhere locks out only that pair,
# never the mayor at the office. Attempts are kept in the database, shared by every
# gunicorn worker and independent of Redis (a Redis outage must not stop logins nor
# silently switch the lockout off); the superuser sees them in the admin.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.int("DJANGO_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("DJANGO_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Trying again while locked out does not extend the wait the page announces.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "security.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "security.lockout.client_ip"
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]
# Reverse proxies in front of gunicorn whose X-Forwarded-For is trusted (0: none).
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)

# Second factor (TOTP, django-otp): optional for everyone; with this on, a superuser
# without a confirmed device is sent to the enrolment page before anything else.
PIANOZONA_OTP_REQUIRED_FOR_SUPERUSERS = env.bool(
    "PIANOZONA_OTP_REQUIRED_FOR_SUPERUSERS", default=False
)
OTP_TOTP_ISSUER = env.str("PIANOZONA_OTP_ISSUER", default="Piano di Zona")

# Security: secure defaults that DEBUG relaxes only where a local HTTP run needs it.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# __Host-: the browser accepts them only over https, for Path=/ and without a Domain,
# so neither a sibling subdomain nor plain http can plant or overwrite them.
SESSION_COOKIE_NAME = "sessionid" if DEBUG else "__Host-sessionid"
CSRF_COOKIE_NAME = "csrftoken" if DEBUG else "__Host-csrftoken"
SESSION_COOKIE_PATH = CSRF_COOKIE_PATH = "/"
SESSION_COOKIE_DOMAIN = CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
# Absolute maximum of a login, whatever the activity (security/sessions.py)...
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=60 * 60 * 8)
# ...and the idle time after which a logged-in user must log in again.
SESSION_IDLE_TIMEOUT = env.int("DJANGO_SESSION_IDLE_TIMEOUT", default=30 * 60)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): only our own files, no inline script or style
# anywhere (no 'unsafe-inline'), no framing. Charts are data: images; Bootstrap Italia's
# stylesheet embeds one icon font as data: (fonts cannot run code).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Celery: without a broker, tasks run eagerly in-process (the embedded default).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Fail fast: a page that queues a task must not hang on an unreachable Redis (Celery's
# default retries for minutes). Publishing gives up within about 2 s and the caller keeps
# the job to resend it (reports/jobs.py); the worker still reconnects on its own.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.5,
                     "interval_max": 0.5},
}
# A report "in elaborazione" for longer than this has lost its worker: the sweep re-queues it,
# at most REPORT_JOB_MAX_ATTEMPTS renders in all, then marks it failed.
REPORT_JOB_STUCK_MINUTES = env.int("REPORT_JOB_STUCK_MINUTES", default=15)
REPORT_JOB_MAX_ATTEMPTS = env.int("REPORT_JOB_MAX_ATTEMPTS", default=6)
# Celery eager (no broker): a report renders in a thread of the web process, after the
# request (reports/background.py), never inside it; that many renders at once.
REPORT_EAGER_IN_BACKGROUND = env.bool("REPORT_EAGER_IN_BACKGROUND", default=True)
REPORT_LOCAL_THREADS = env.int("REPORT_LOCAL_THREADS", default=1)
# Quarterly reminders to the referenti, on each quarter's last day (crontab has no "last day").
_REMINDER_TASK = "indicators.send_quarter_reminders"
CELERY_BEAT_SCHEDULE = {
    "promemoria-indicatori-31-03-31-12": {
        "task": _REMINDER_TASK,
        "schedule": crontab(minute=0, hour=9, day_of_month=31, month_of_year="3,12"),
    },
    "promemoria-indicatori-30-06-30-09": {
        "task": _REMINDER_TASK,
        "schedule": crontab(minute=0, hour=9, day_of_month=30, month_of_year="6,9"),
    },
}

# Mail: printed on the console unless a real backend is configured.
EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env.str("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="ufficio-di-piano@localhost")

# The auditors' API (pianozona/api/): tokens for scripts, the session for the browsable
# pages; the token scheme comes first so that an anonymous call gets 401, not 403.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.ApiAutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["core.api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env.str("API_THROTTLE_RATE", default="10000/hour")},
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Piano di Zona – API per i revisori",
    "DESCRIPTION": (
        "API in sola lettura su ambiti, Comuni, Piani di Zona e Piani Operativi, obiettivi, "
        "azioni, referenti, canali di finanziamento, entrate, righe di budget, avanzi, "
        "indicatori, traguardi e delibere, con lo storico di ogni modifica. Ogni utente vede "
        "solo gli ambiti in cui ha un ruolo. Autenticazione: intestazione "
        "`Authorization: Token <chiave>`. Importi come stringhe decimali, date ISO 8601; "
        "ogni elenco anche in CSV con `?format=csv`."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "OperatingPlanStateEnum": "objectives.models.OperatingPlan.State",
        "MeasurementStateEnum": "indicators.models.Measurement.State",
    },
    # A field that refuses "" says so (minLength 1): the token's username and password.
    "ENFORCE_NON_BLANK_FIELDS": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.csv_bodies_are_text",
        "core.api.schema.error_responses",
    ],
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    # WeasyPrint and fontTools narrate every rendering step at INFO.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
