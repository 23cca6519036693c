"""Django settings for the beat-box settings site.

Everything site-specific comes from BEATBOX_* environment variables; state lives under
BEATBOX_DATA_DIR (default ./var). See README.md for the list.
"""

from __future__ import annotations

import ipaddress
import os
from datetime import timedelta

import dj_database_url
from django.utils.translation import gettext_lazy as _

from beatbox.datadir import BASE_DIR, data_dir, secret_key


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = data_dir()
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = secret_key()
DEBUG = env_bool("BEATBOX_DEBUG")

BEATBOX_DOMAIN = os.environ.get("BEATBOX_DOMAIN", "example.co.jp").strip().lower()
BEATBOX_HOSTNAME = os.environ.get("BEATBOX_HOSTNAME", f"beat-box.{BEATBOX_DOMAIN}")

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get(
        "BEATBOX_ALLOWED_HOSTS", f"{BEATBOX_HOSTNAME},beat-box,localhost,127.0.0.1,[::1]"
    ).split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "beatbox",
    "extmail",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "beatbox.urls"
WSGI_APPLICATION = "beatbox.wsgi.application"

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
                "django.template.context_processors.i18n",
                "beatbox.context_processors.box",
            ],
        },
    },
]

# SQLite by default; the worker is a second process, so wait for locks instead of failing
# and take the write lock at BEGIN (no lock upgrades that deadlock).
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "beatbox.sqlite3",
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "beatbox.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "beatbox.auth.PendingPasswordBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "beatman-top"
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock a login ID from one address after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("BEATBOX_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The login form posts "username" (Django's AuthenticationForm), not our USERNAME_FIELD.
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("BEATBOX_TIME_ZONE", "Asia/Tokyo")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Background tasks: the database backend, run by `manage.py db_worker` (make run starts it).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Security headers that work on a plain-HTTP LAN port (see docs/deploy.md for the rest).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 8
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if env_bool("BEATBOX_HTTPS"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000

# --- external mail linkage -------------------------------------------------------------
# Credential key ring: env BEATBOX_CREDENTIAL_KEYS (comma-separated, newest first) or this file.
BEATBOX_CREDENTIAL_KEY_FILE = DATA_DIR / "credential.keys"
BEATBOX_MAILBOX_DIR = DATA_DIR / "mailboxes"
# One overall deadline for a connection check, and the per-operation timeout inside it.
BEATBOX_PROBE_DEADLINE = float(os.environ.get("BEATBOX_PROBE_DEADLINE", "30"))
BEATBOX_PROBE_TIMEOUT = float(os.environ.get("BEATBOX_PROBE_TIMEOUT", "10"))
# Non-global targets (loopback, private, ...) that checks may reach anyway.
BEATBOX_PROBE_ALLOWED_NETWORKS = [
    ipaddress.ip_network(n.strip(), strict=False)
    for n in os.environ.get("BEATBOX_PROBE_ALLOWED_NETWORKS", "").split(",")
    if n.strip()
]
# Extra CA file trusted for provider certificates (tests and private CAs); system CAs always.
BEATBOX_PROBE_CAFILE = os.environ.get("BEATBOX_PROBE_CAFILE") or None
# The outside address the relay test names in RCPT TO (never sent anything: no DATA).
BEATBOX_PROBE_RELAY_RECIPIENT = os.environ.get("BEATBOX_PROBE_RELAY_RECIPIENT",
                                               "postmaster@example.net")
# At most this many checks per user in the rolling window.
BEATBOX_CHECK_RATE = int(os.environ.get("BEATBOX_CHECK_RATE", "10"))
BEATBOX_CHECK_RATE_WINDOW = int(os.environ.get("BEATBOX_CHECK_RATE_WINDOW", "600"))

# Fetching (DESIGN §10): clamd's socket (a path, or host:port), how often, how much at once.
BEATBOX_CLAMD = os.environ.get("BEATBOX_CLAMD", "/var/run/clamav/clamd.ctl")
BEATBOX_FETCH_INTERVAL = float(os.environ.get("BEATBOX_FETCH_INTERVAL", "300"))
BEATBOX_FETCH_TICK = float(os.environ.get("BEATBOX_FETCH_TICK", "15"))
BEATBOX_FETCH_CONCURRENCY = int(os.environ.get("BEATBOX_FETCH_CONCURRENCY", "4"))
BEATBOX_FETCH_DEADLINE = float(os.environ.get("BEATBOX_FETCH_DEADLINE", "600"))
BEATBOX_FETCH_MAX_MESSAGE = int(os.environ.get("BEATBOX_FETCH_MAX_MESSAGE", 50 * 1024 * 1024))

# Bulk registration: uploads stay in memory (never a temporary file on disk).
BEATBOX_IMPORT_MAX_BYTES = int(os.environ.get("BEATBOX_IMPORT_MAX_BYTES", 20 * 1024 * 1024))
BEATBOX_IMPORT_MAX_ROWS = int(os.environ.get("BEATBOX_IMPORT_MAX_ROWS", "20000"))
BEATBOX_IMPORT_CHECK_SPACING = float(os.environ.get("BEATBOX_IMPORT_CHECK_SPACING", "1.0"))
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = BEATBOX_IMPORT_MAX_BYTES + 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout",
                   "formatter": "line"},
    },
    "root": {"handlers": ["stdout"], "level": os.environ.get("BEATBOX_LOG_LEVEL", "INFO")},
    "loggers": {
        # Never log request bodies or template contexts (they may hold typed passwords).
        "django.template": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
    },
}
