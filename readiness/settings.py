"""Settings for readiness, read from environment variables only.

Every value has a safe production default (DEBUG off, secure cookies when not
debugging). `make run` sets DEBUG=true and a throwaway SECRET_KEY for local use.
"""

import os
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from accounts.sso_settings import oidc_settings
from core.storage_settings import default_storage

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core ------------------------------------------------------------------

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(or DEBUG=true for local development)."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-debug"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "template_partials",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # The project's apps, from the bottom layer up: each imports only those above it here.
    "core",
    "accounts",
    "projects",
    "notifications",
    "webhooks",
    "discussions",
    "reviews",
    "risks",
    "cutover",
    "support",
    "decisions",
    "summaries",
    "reminders",
    "api",
    "readiness",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.StaffTwoStepMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "readiness.urls"
WSGI_APPLICATION = "readiness.wsgi.application"

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
                "readiness.context_processors.site",
                "projects.context_processors.project_access",
            ],
        },
    },
]

# --- Database ----------------------------------------------------------------

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server and an embedded worker share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Redis ------------------------------------------------------------

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # Every use goes through core.cache.safe_cache: a Redis that is down is logged and the
    # page computes without it. Short timeouts, so an unreachable Redis costs a page little.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Authentication -------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Single sign-on (accounts/sso.py, README "Single sign-on"): OpenID Connect through
# mozilla-django-oidc, on when an issuer (or OIDC_PROVIDER=entra and its tenant), a client id
# and a client secret are set. OIDC_ALLOWED_DOMAINS limits the e-mail domains that may sign
# in; OIDC_UNKNOWN_USERS says what happens to a verified address with neither an account nor
# a pending invitation ("refuse" or "create"). SSO_ONLY=true turns password sign-in off.
vars().update(
    oidc_settings(
        provider=env("OIDC_PROVIDER", default=""),
        issuer=env("OIDC_ISSUER", default=""),
        entra_tenant=env("OIDC_ENTRA_TENANT", default=""),
        client_id=env("OIDC_CLIENT_ID", default=""),
        client_secret=env("OIDC_CLIENT_SECRET", default=""),
        allowed_domains=env.list("OIDC_ALLOWED_DOMAINS", default=[]),
        button_label=env("OIDC_BUTTON_LABEL", default=""),
        unknown_users=env("OIDC_UNKNOWN_USERS", default="refuse"),
        sso_only=env.bool("SSO_ONLY", default=False),
        backends=AUTHENTICATION_BACKENDS,
    )
)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (accounts/lockout.py): the e-mail is normalised (case, spaces) before
# axes counts it; five failures for one account, from anywhere, lock it for 15 minutes, and
# AXES_IP_FAILURE_LIMIT failures from one client address, on any accounts, lock that address.
AXES_HANDLER = "accounts.lockout.LockoutHandler"
AXES_USERNAME_CALLABLE = "accounts.lockout.login_username"
AXES_CLIENT_IP_CALLABLE = "core.http.client_ip"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_IP_FAILURE_LIMIT = env.int("AXES_IP_FAILURE_LIMIT", default=30)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"

# Two-step sign-in (django-otp, accounts/services.py): a time-based code after the password
# for whoever has set it up. Wrong codes count as failed log-ins in axes (above), so
# django-otp's own growing delay is off. With OTP_REQUIRED_FOR_STAFF, site staff must set it
# up before they can use the admin.
OTP_TOTP_ISSUER = "Readiness"
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
OTP_REQUIRED_FOR_STAFF = env.bool("OTP_REQUIRED_FOR_STAFF", default=False)
TWO_STEP_PENDING_SECONDS = 300
# Password reset requests (accounts/services.py): per e-mail address and per client
# address, in an hour. The mail goes from a task, so the answer is the same either way.
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=3)
PASSWORD_RESET_LIMIT_PER_IP = env.int("PASSWORD_RESET_LIMIT_PER_IP", default=10)
PASSWORD_RESET_LIMIT_SECONDS = 3600

# --- Internationalisation ---------------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

# --- Static and media files ---------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"  # never served directly: evidence goes through a permission-checked view
# Uploaded files and summary PDFs: the folder MEDIA_ROOT, or a bucket shared by every web and
# worker host when STORAGE_URL (s3://BUCKET[/PREFIX]?endpoint_url=...) or
# AWS_STORAGE_BUCKET_NAME is set (core/storage_settings.py; credentials as AWS_ACCESS_KEY_ID
# and AWS_SECRET_ACCESS_KEY). Downloads are checked, then streamed through the app, or with
# STORAGE_DOWNLOADS=redirect (a bucket only) sent to a link that expires within a minute.
STORAGE_DOWNLOADS = env("STORAGE_DOWNLOADS", default="stream")
if STORAGE_DOWNLOADS not in ("stream", "redirect"):
    raise ImproperlyConfigured(
        f"STORAGE_DOWNLOADS is {STORAGE_DOWNLOADS!r}: 'stream' (default) or 'redirect'."
    )
STORAGES = {
    "default": default_storage(
        os.environ, presigned_seconds=env.int("AWS_QUERYSTRING_EXPIRE", default=60)
    ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Request bodies: form fields at most 2.5 MB (a bigger body is refused unread); files go
# through reviews.uploads first, which stops reading a file once it passes
# EVIDENCE_MAX_BYTES, the largest file the site accepts. The proxy and gunicorn cap the
# rest (docker-compose.yml).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 10
FILE_UPLOAD_HANDLERS = [
    "reviews.uploads.UploadSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
# How long a risk acceptance holds by default before the finding reopens (issue 15).
RISK_ACCEPTANCE_DAYS = env.int("RISK_ACCEPTANCE_DAYS", default=90)
EVIDENCE_ALLOWED_EXTENSIONS = [
    "pdf", "png", "jpg", "jpeg", "gif", "txt", "csv", "xlsx", "docx", "pptx", "md", "zip",
]  # fmt: skip

# --- E-mail ------------------------------------------------------------------------

EMAIL_URL = env("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="readiness <readiness@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 20

# --- Celery -------------------------------------------------------------------------

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
# Tasks record their outcome in the database (report status, reminder log), so results
# are ignored by default; the result backend exists for the few that opt in (ping).
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = 3600
# Without a broker (the embedded default) tasks run in-process, for real, when enqueued.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# A task is acknowledged when it ends, and handed back to the broker when its worker
# process dies, so a worker killed mid-task loses nothing (the tasks are idempotent).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# No task runs longer than the hard limit (the worker kills it). Redis hands a message nobody
# acknowledged to another worker after the visibility timeout, which therefore sits just
# above the hard limit: a message of a worker killed outright comes back within about six
# minutes, and a task that is still running is never handed out twice. Retries wait less
# than the visibility timeout for the same reason (summaries/tasks.py).
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT * 4 // 5
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_TASK_TIME_LIMIT * 6 // 5,
    # Every worker looks for such messages every 10 s (kombu's default is every 100 s).
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "reminders-sweep": {
        "task": "reminders.tasks.reminders_sweep_task",
        "schedule": crontab(minute=5),
        "options": {"expires": 50 * 60},
    },
    # Expired risk acceptances reopen early in the day, before the morning digests.
    "risks-acceptances-expire": {
        "task": "risks.tasks.risk_acceptances_expire_task",
        "schedule": crontab(minute=0, hour="*/6"),
        "options": {"expires": 60 * 60},
    },
    "summaries-requeue-stuck": {
        "task": "summaries.tasks.summaries_requeue_stuck_task",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 9 * 60},
    },
    # Webhook deliveries nobody is sending (broker down at publish, a dead worker).
    "webhooks-requeue": {
        "task": "webhooks.tasks.webhook_deliveries_requeue_task",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 9 * 60},
    },
    # Overdue mitigation actions reach the project's webhooks (once per action and due date).
    "risks-actions-overdue-publish": {
        "task": "risks.tasks.actions_overdue_publish_task",
        "schedule": crontab(minute=15),
        "options": {"expires": 50 * 60},
    },
    # A late step of a running cutover reaches the cutover manager within minutes.
    "cutover-late-steps-escalate": {
        "task": "cutover.tasks.cutover_late_steps_escalate_task",
        "schedule": crontab(minute="*/3"),
        "options": {"expires": 2 * 60},
    },
}

# --- Outgoing webhooks ------------------------------------------------------------------

# A webhook is disabled after this many deliveries in a row failed (each after its tries).
WEBHOOK_MAX_FAILURES = env.int("WEBHOOK_MAX_FAILURES", default=5)
# Tries of one delivery (connection errors, timeouts and 5xx answers are tried again).
WEBHOOK_MAX_TRIES = env.int("WEBHOOK_MAX_TRIES", default=5)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5)
# Webhooks go only to public addresses unless this is on (a receiver inside the company's
# network, or on this machine while trying it out): otherwise a webhook could reach the
# database, a cloud metadata service or an internal admin page.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=False)

# --- Security ------------------------------------------------------------------------

BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy: no inline scripts, nothing from other hosts. Inline style
# attributes stay allowed for data-driven widths (progress bars); scripts never are.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- The REST API (api/) ----------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        "api.authentication.CsrfSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.TokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerTokenThrottle"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Requests per token (per person for the browser's session), counted in the cache.
API_THROTTLE_RATE = env("API_THROTTLE_RATE", default="600/minute")
SPECTACULAR_SETTINGS = {
    "TITLE": "readiness API",
    "DESCRIPTION": (
        "Projects, reviews and their items, sign-offs, findings and actions, decisions, "
        "cutover steps and summaries, with the same permissions as the pages. Authenticate "
        "with `Authorization: Bearer <token>` (make a token on your profile page). Every "
        'error has the same body: `{"error": {"status", "code", "message", '
        '"fields", "changes"}}`.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # A PATCH names the version it read: its body is the serializer as it is, not "Patched".
    "COMPONENT_SPLIT_PATCH": False,
    "ENUM_NAME_OVERRIDES": {
        "ItemStatusEnum": "reviews.models.ItemStatus",
        "ReviewStatusEnum": "reviews.models.Review.Status",
        "FindingStatusEnum": "risks.models.RiskStatus",
        "ActionStatusEnum": "risks.models.ActionStatus",
        "SummaryStatusEnum": "summaries.models.SummaryReport.Status",
    },
}

# --- Forms and templates ----------------------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Logging -----------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
