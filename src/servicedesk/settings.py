"""Servicedesk settings: every knob comes from the environment and is documented in docs/configuration.md."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DATA_DIR = Path(env("SERVICEDESK_DATA_DIR", str(Path.cwd() / "data"))).resolve()


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the data folder."""
    if key := env("SECRET_KEY"):
        return key
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        # O_EXCL: two processes starting at once agree on one key.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(50))
        except FileExistsError:
            pass
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files for /api/v1/docs/, served locally (no CDN)
    "django_tasks",
    "django_tasks_db",
    "servicedesk.core",
    "servicedesk.accounts",
    "servicedesk.assets",
    "servicedesk.tickets",
    "servicedesk.sla",
    "servicedesk.notifications",
    "servicedesk.desk",
    "servicedesk.mail",
    "servicedesk.portal",
    "servicedesk.ask",
    "servicedesk.api",
    "servicedesk.webhooks",
    # Sign-in, password reset, e-mail verification, TOTP (accounts/adapter.py adapts them to the desk).
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # The image captcha of the public "Ask us" form (servicedesk.ask).
    "captcha",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: a signed-in user's language wins; no i18n URL patterns, so this order is safe.
    "servicedesk.accounts.middleware.UserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # With REQUIRE_AGENT_MFA, an agent without TOTP is sent to set it up before anything else.
    "servicedesk.accounts.middleware.AgentMfaMiddleware",
]

ROOT_URLCONF = "servicedesk.urls"
WSGI_APPLICATION = "servicedesk.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"  # accounts.views.start: agents to the desk, contacts to the portal
LOGOUT_REDIRECT_URL = "login"

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
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------------------
SQLITE_PATH = DATA_DIR / "servicedesk.sqlite3"
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:  # PostgreSQL for larger installs
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            "OPTIONS": {
                # WAL lets the web, the worker and the scheduler read while one of them writes;
                # IMMEDIATE transactions take the write lock up front instead of failing half-way.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
                    " PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;"
                    # Checkpoint every ~40 MB of WAL instead of 4 MB: hot index pages rewritten by many commits are
                    # copied back once, not ten times (+8 % ticket openings per second).
                    " PRAGMA wal_autocheckpoint=10000;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # Keep each process's connection: a new one per request re-runs the PRAGMAs above and re-reads the
            # schema, which cost more than the request itself.
            "CONN_MAX_AGE": int(env("CONN_MAX_AGE", "600")),
            "CONN_HEALTH_CHECKS": True,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background work (Django Tasks API) -----------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
    # Without django-tasks-rq's Job class, `servicedesk rqworker` fails every task ("'Task' object is not callable").
    RQ = {"JOB_CLASS": "django_tasks_rq.Job"}
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
if env_bool("TASKS_IMMEDIATE"):
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# A worker whose heartbeat is older than this makes /healthz answer 503.
WORKER_HEARTBEAT_MAX_AGE = int(env("WORKER_HEARTBEAT_MAX_AGE", "180"))

# --- Auth ---------------------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = int(env("SESSION_COOKIE_AGE", str(14 * 24 * 3600)))
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",  # the admin's and force_login's username + password
    "allauth.account.auth_backends.AuthenticationBackend",  # the sign-in page: username or e-mail
]
# Agents sign in with their username, contacts with their e-mail (which is also their username).
ACCOUNT_ADAPTER = "servicedesk.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]  # the username becomes the e-mail
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env("EMAIL_VERIFICATION", "optional")
ACCOUNT_SESSION_REMEMBER = True  # a sign-in lasts SESSION_COOKIE_AGE, not until the browser closes
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Servicedesk: "
ACCOUNT_LOGOUT_REDIRECT_URL = "login"
# allauth's rate-limit syntax: 10 failures a minute per IP address, 5 per 5 minutes per login.
ACCOUNT_RATE_LIMITS = {"login_failed": env("LOGIN_FAILED_RATE_LIMIT", "10/m/ip,5/5m/key")}
# Proxies in front of gunicorn: the client's address is this many hops back in X-Forwarded-For (rate limits).
ALLAUTH_TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))
# Anyone may create an account on the sign-in page; off: contacts get accounts only by an agent's invitation.
ALLOW_SIGNUP = env_bool("ALLOW_SIGNUP")
INVITATION_VALID_DAYS = int(env("INVITATION_VALID_DAYS", "7"))
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", "Servicedesk")
REQUIRE_AGENT_MFA = env_bool("REQUIRE_AGENT_MFA")

# Rate limits, TOTP replay protection and the like must be shared by every gunicorn worker and machine.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # The table is created by the accounts app's migrations.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "servicedesk_cache"}}

# --- Internationalization -----------------------------------------------------------------------------------
LANGUAGE_CODE = env("LANGUAGE_CODE", "cs")
LANGUAGES = [("cs", _("Czech")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Europe/Prague")
USE_I18N = True
USE_TZ = True

# --- Static files and uploads ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]  # the project's own CSS and JS (src/servicedesk/static)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve straight from the apps when collectstatic has not run (tests, dev)
ATTACHMENT_DIR = DATA_DIR / "attachments"
ATTACHMENT_MAX_BYTES = int(env("ATTACHMENT_MAX_BYTES", str(25 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- E-mail -------------------------------------------------------------------------------------------------
# Mail goes to the outbox table first (servicedesk.mail); the worker delivers it over SMTP with these settings.
EMAIL_BACKEND = "servicedesk.mail.backend.OutboxEmailBackend"
EMAIL_HOST = env("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Servicedesk <servicedesk@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Outbox delivery (mail/delivery.py). Attempts before an e-mail is given up as failed (shown on the ticket).
MAIL_MAX_ATTEMPTS = int(env("MAIL_MAX_ATTEMPTS", "12"))
# Retry n waits MAIL_BACKOFF_BASE × 2^(n-1) seconds, at most MAIL_BACKOFF_MAX.
MAIL_BACKOFF_BASE = float(env("MAIL_BACKOFF_BASE", "30"))
MAIL_BACKOFF_MAX = float(env("MAIL_BACKOFF_MAX", "3600"))
# E-mails sent over one SMTP connection; a worker takes batches until nothing is due.
MAIL_BATCH_SIZE = int(env("MAIL_BATCH_SIZE", "100"))
# Seconds a worker holds an e-mail it is sending; a dead worker's e-mails are taken by another after this.
MAIL_LEASE_SECONDS = float(env("MAIL_LEASE_SECONDS", "300"))
# The domain of the Message-IDs we send and of our X-Loop marker; replies are recognised by it.
MAIL_DOMAIN = env("MAIL_DOMAIN", urlsplit(SITE_URL).hostname or "servicedesk.local")
# Seconds a process remembers which mail templates a manager changed and the mailboxes' addresses.
MAIL_CONFIG_CACHE_SECONDS = float(env("MAIL_CONFIG_CACHE_SECONDS", "30"))
# Incoming mail (mail/ingest.py): a larger message goes to quarantine, kept whole.
MAIL_MAX_MESSAGE_BYTES = int(env("MAIL_MAX_MESSAGE_BYTES", str(50 * 1024 * 1024)))
# Messages one sender may send in a window before the rest go to quarantine, e.g. "20/10m".
MAIL_SENDER_RATE_LIMIT = env("MAIL_SENDER_RATE_LIMIT", "20/10m")
# `servicedesk smtpd` (and `servicedesk run`, when SMTPD_PORT is set): the SMTP/LMTP receiver.
SMTPD_HOST = env("SMTPD_HOST", "127.0.0.1")
SMTPD_PORT = int(env("SMTPD_PORT", "0"))  # 0: `servicedesk run` starts no receiver

# --- The service desk's own rules ----------------------------------------------------------------------------
# Impact x urgency -> priority (1 = P1 highest). Override with a JSON object such as {"high": {"high": 1, ...}}.
PRIORITY_MATRIX: dict[str, dict[str, int]] = json.loads(
    env(
        "PRIORITY_MATRIX",
        json.dumps(
            {
                "high": {"high": 1, "medium": 2, "low": 3},
                "medium": {"high": 2, "medium": 3, "low": 3},
                "low": {"high": 3, "medium": 4, "low": 4},
            }
        ),
    )
)
# How long a process remembers which team is the first-level one (asked for by every new ticket).
TEAM_CACHE_SECONDS = float(env("TEAM_CACHE_SECONDS", "30"))
# Seconds a process remembers the SLA calendars, plans and contracts (sla/config.py).
SLA_CONFIG_CACHE_SECONDS = float(env("SLA_CONFIG_CACHE_SECONDS", "30"))
# How many tickets one sweep transaction handles (sla/sweep.py).
SLA_SWEEP_BATCH = int(env("SLA_SWEEP_BATCH", "500"))
# A closed ticket may be reopened for this many days after it was closed.
REOPEN_WINDOW_DAYS = int(env("REOPEN_WINDOW_DAYS", "14"))
# Resolved tickets are closed automatically after this many days without a reopen.
AUTO_CLOSE_DAYS = int(env("AUTO_CLOSE_DAYS", "7"))

# --- Outbound webhooks (docs/webhooks.md) ---------------------------------------------------------------------
# Seconds a receiver has to answer one POST.
WEBHOOK_TIMEOUT = float(env("WEBHOOK_TIMEOUT", "10"))
# Attempts before a delivery is given up as failed.
WEBHOOK_MAX_ATTEMPTS = int(env("WEBHOOK_MAX_ATTEMPTS", "8"))
# Retry n waits WEBHOOK_BACKOFF_BASE × 2^(n-1) seconds (+ up to 20 % jitter), at most WEBHOOK_BACKOFF_MAX.
WEBHOOK_BACKOFF_BASE = float(env("WEBHOOK_BACKOFF_BASE", "30"))
WEBHOOK_BACKOFF_MAX = float(env("WEBHOOK_BACKOFF_MAX", str(6 * 3600)))
# How long a process keeps the list of active subscriptions (0 reads it on every ticket event).
WEBHOOK_SUBSCRIPTION_CACHE_SECONDS = float(env("WEBHOOK_SUBSCRIPTION_CACHE_SECONDS", "5"))

# --- The public "Ask us" form (/ask/, docs/configuration.md) ----------------------------------------------------
# Origins allowed to embed /ask/embed/ in an iframe (CSP frame-ancestors), e.g. https://www.example.com.
ASK_EMBED_ORIGINS = env_list("ASK_EMBED_ORIGINS")
# Accepted submissions (captcha passed) per client IP address and per e-mail address: "count/period", period in
# s, m, h or d (e.g. 5/10m). Counted in the database, so every gunicorn worker and machine shares them.
ASK_RATE_LIMIT_PER_IP = env("ASK_RATE_LIMIT_PER_IP", "5/10m")
ASK_RATE_LIMIT_PER_EMAIL = env("ASK_RATE_LIMIT_PER_EMAIL", "3/1h")
ASK_QUESTION_MAX_LENGTH = int(env("ASK_QUESTION_MAX_LENGTH", "5000"))
# django-simple-captcha: minutes a code stays valid (long enough to write a question), characters in a code.
CAPTCHA_TIMEOUT = int(env("CAPTCHA_TIMEOUT", "30"))
CAPTCHA_LENGTH = int(env("CAPTCHA_LENGTH", "5"))

# --- REST API -----------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "servicedesk.api.schema.ProblemAutoSchema",
    # Programs send a personal token (Authorization: Bearer); the browser uses its session, with CSRF.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "servicedesk.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # Errors as RFC 9457 problem details (servicedesk/api/problems.py).
    "EXCEPTION_HANDLER": "servicedesk.api.problems.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Servicedesk API",
    "VERSION": "1",
    "DESCRIPTION": (
        "Tickets are addressed by their number (e.g. `2026-000123`). Authenticate with a personal token from"
        " /api/v1/tokens/ as `Authorization: Bearer <token>`. Errors are RFC 9457 problem details"
        " (`application/problem+json`) with a machine-readable `code`: `invalid` (400, `errors` lists the fields),"
        " `not_authenticated` / `authentication_failed` (401), `permission_denied` (403), `not_found` (404),"
        " `illegal_transition` (409), `idempotency_in_progress` (409), `in_use` (409), `attachment_too_large` (413),"
        " `action_refused` (422: the desk's rules refuse the request), `idempotency_key_reused` (422)."
        " POST requests accept an `Idempotency-Key` header: retries with the same key and body within 24 hours"
        " return the first answer."
    ),
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "ENUM_NAME_OVERRIDES": {
        "LevelEnum": "servicedesk.tickets.models.Level",
        "SlaActionEnum": "servicedesk.sla.models.SlaAction",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
