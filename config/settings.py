"""Jemput Bola settings: one module, configured by environment variables.

Without any variable set it runs on the embedded default: DEBUG on, a SQLite file,
an in-process cache and Celery tasks run eagerly. Production sets DJANGO_DEBUG=0,
DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL and REDIS_URL (see README).
"""

from pathlib import Path
import os

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY harus diisi bila DJANGO_DEBUG=0.")
    # Only for the embedded development default; never used with DEBUG off.
    SECRET_KEY = "dev-only-insecure-key-jemput-bola"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # django.contrib.admin, with a site that requires the 2FA-verified session (REQUIRE_2FA).
    "regions.admin_site.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "simple_history",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "regions",
    "outreach",
    "partners",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.IndonesianFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Keeps the request for the audit log's handlers (regions/audit.py): who, from where.
    "regions.audit.AuditMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Staff and managers owe a 2FA code before any page but sign-in/out, the 2FA pages and public ones.
    "regions.two_factor.TwoFactorMiddleware",
    # Last: it answers a locked-out sign-in with the lockout page.
    "axes.middleware.AxesMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

# Form widgets may use the project's templates (the region picker).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

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
                "django.template.context_processors.i18n",
                "regions.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite file unless DATABASE_URL says otherwise (PostgreSQL in production).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{os.environ.get('SQLITE_PATH', BASE_DIR / 'db.sqlite3')}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# The operator's save runs as prepared statements on PostgreSQL (config/db.py). 0 behind a
# connection pooler that cannot keep them (PgBouncer in transaction mode before 1.21): the save
# is then planned every time, as every other request is.
DATABASE_PREPARED_SAVES = env_bool("DATABASE_PREPARED_SAVES", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "regions.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# Five failed sign-ins for the same username from the same address lock that pair for 30 minutes;
# a success resets the count. Staff unlock early with `python manage.py axes_reset_username`.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "config.middleware.client_ip"
AXES_VERBOSE = False
# Two-factor sign-in (TOTP, django-otp): on by default in production. When on, staff, managers and
# superusers set it up and enter a code at every sign-in; operators are never forced (README "Security").
REQUIRE_2FA = env_bool("DJANGO_REQUIRE_2FA", not DEBUG)
OTP_TOTP_ISSUER = "Jemput Bola"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Sessions are read from the cache (Redis in production) and written through to the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(60 * 60 * 12)))

# Redis: the Celery broker and the cache. Without REDIS_URL, tasks run in-process.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                # A cache miss is slower; a request that fails because Redis is down is worse.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "jemputbola"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Tasks are idempotent: acknowledged after they finish and redelivered if a worker dies.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))}
CELERY_TIMEZONE = "Asia/Jakarta"
# Every job repeats hourly through a window and is idempotent (claimed per day, per agreement,
# per summary delivery): a fire lost while Redis was down is made up by the next, none twice.
CELERY_BEAT_SCHEDULE = {
    "pks-reminders": {"task": "partners.tasks.send_agreement_reminders", "schedule": crontab(hour="7-17", minute=0)},
    "belum-lapor": {"task": "outreach.tasks.send_overdue_notices", "schedule": crontab(hour="7-17", minute=30)},
    "ringkasan-mingguan": {
        "task": "outreach.tasks.weekly_summaries",
        "schedule": crontab(hour="6-17", minute=0, day_of_week="mon"),
    },
    # Retention (DESIGN.md "Privacy"): blank the per-person fields of old activations, keep counts.
    "hapus-data-pribadi": {"task": "outreach.tasks.purge_personal_data", "schedule": crontab(hour="2-5", minute=0)},
}

# Language, time, numbers: Bahasa Indonesia first, English available.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# In development (and the tests) static files are served straight from the apps and static/,
# without collectstatic; production serves the collected, compressed files.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "jemput-bola@localhost")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "sent-mail"))
# The address the application is reached at, for links in e-mails (no trailing slash).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Behind a TLS-terminating proxy in production.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
    if not SECURE_HSTS_PRELOAD:
        # Leaving the preload list is a deliberate choice: do not warn about it on every deploy check.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere: everything comes from the project's own static files.
# Images may be data: URIs (Bootstrap's icons in its CSS).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Libraries that narrate at INFO: fontTools subsets fonts for every PDF, matplotlib finds fonts.
    "loggers": {name: {"level": "WARNING"} for name in ("fontTools", "matplotlib", "PIL")},
}

# NIK hashing keys (DESIGN.md "Privacy"): "id:secret" pairs, oldest first, from the environment
# or a secret file; the newest signs new rows, all are tried for duplicates. Never in the DB.
def read_nik_keys() -> list[tuple[str, str]]:
    text = os.environ.get("NIK_HMAC_KEYS", "")
    path = os.environ.get("NIK_HMAC_KEYS_FILE", "")
    if path:
        text = Path(path).read_text(encoding="utf-8").replace("\n", ",")
    pairs = [item.strip().split(":", 1) for item in text.split(",") if ":" in item]
    return [(key_id.strip(), secret.strip()) for key_id, secret in pairs if key_id.strip() and secret.strip()]


NIK_HMAC_KEYS = read_nik_keys()
if not NIK_HMAC_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured("NIK_HMAC_KEYS atau NIK_HMAC_KEYS_FILE harus diisi bila DJANGO_DEBUG=0.")
    NIK_HMAC_KEYS = [("dev", "dev-only-nik-key-not-for-production")]

# Retention of per-person fields (NIK hash, last four digits, sex, birth year, kecamatan): kept
# until this many years after the end of the year the activation happened in, then blanked by
# `purge_personal_data` (daily at 02:00); every count stays (DESIGN.md "Privacy").
PERSONAL_DATA_RETENTION_YEARS = int(os.environ.get("PERSONAL_DATA_RETENTION_YEARS", "2"))

# Reference data that is not committed (the Kemendagri code list, populations): see README.
SHARED_DATA_DIR = Path(os.environ.get("SHARED_DATA_DIR", BASE_DIR.parent / "shared" / "data"))

# Demo accounts are printed by `load_demo`; their shared password is only for the demo.
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "jemputbola-demo")
