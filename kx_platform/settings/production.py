"""Production: every machine-specific value comes from the environment.

The process refuses to start when SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL or the
mail settings are missing, rather than falling back to something unsafe.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403


def _required(name):
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"Set the {name} environment variable for production.")
    return value


DEBUG = False
SECRET_KEY = _required("SECRET_KEY")
ALLOWED_HOSTS = [h.strip() for h in _required("ALLOWED_HOSTS").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [f"https://{h.lstrip('.')}" for h in ALLOWED_HOSTS]
# How many reverse proxies stand in front of gunicorn and append to X-Forwarded-For: the
# sign-in rate limits per address read the client's address past them (0: the direct peer,
# so behind a proxy every member would share the proxy's limit).
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("KX_TRUSTED_PROXY_COUNT", "0"))
_required(
    "DATABASE_URL"
)  # read by base.DATABASES; required here so SQLite is never a silent default

# Mail is queued as tasks and sent by the worker (kx_platform.mail) through SMTP.
MAILERS = {
    **MAILERS,  # noqa: F405 - the queued default
    "outgoing": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _required("EMAIL_HOST"),
            "port": int(os.environ.get("EMAIL_PORT", "587")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": os.environ.get("EMAIL_USE_TLS", "true").lower() != "false",
            "timeout": int(os.environ.get("EMAIL_TIMEOUT", "30")),
        },
    },
}
# Tasks are rows of the database, run by `manage.py db_worker` (kx_platform.background).
KX_TASKS_BACKEND = os.environ.get("KX_TASKS_BACKEND", "database")
TASKS = {"default": {"BACKEND": KX_TASK_BACKENDS[KX_TASKS_BACKEND]}}  # noqa: F405
DEFAULT_FROM_EMAIL = _required("DEFAULT_FROM_EMAIL")
WAGTAILADMIN_NOTIFICATION_FROM_EMAIL = DEFAULT_FROM_EMAIL
WAGTAILADMIN_BASE_URL = _required("KX_BASE_URL")

STORAGES = {
    "default": STORAGES["default"],  # noqa: F405 - local disk, or S3 with KX_MEDIA_S3_BUCKET
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "true").lower() != "false"
# Probes inside the cluster ask over plain HTTP (kx_platform.health).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
KX_SHOW_DEMO_PASSWORDS = False

# Wagtail's live preview shows the page in a same-origin frame inside the admin, so
# framing stays SAMEORIGIN; the CSP's frame-ancestors 'self' keeps other sites out.
SILENCED_SYSTEM_CHECKS = ["security.W019"]

# Logs as JSON lines unless KX_LOG_FORMAT=text (kx_platform.request_log).
KX_LOG_FORMAT = os.environ.get("KX_LOG_FORMAT", "json")
_console = {**LOGGING["handlers"]["console"]}  # noqa: F405 - base's own dict stays as it is
_console["formatter"] = "json" if KX_LOG_FORMAT == "json" else "text"
LOGGING = {**LOGGING, "handlers": {**LOGGING["handlers"], "console": _console}}  # noqa: F405

# Without CACHE_URL the cache is a database table, shared by every process and host
# (`manage.py createcachetable` creates it; the release step runs it).
if not CACHE_URL:  # noqa: F405
    CACHES = {
        name: {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "kx_cache",
            "KEY_PREFIX": prefix,
            "TIMEOUT": timeout,
            "OPTIONS": {"MAX_ENTRIES": 50000},
        }
        for name, prefix, timeout in (
            ("default", "kx", 300),
            ("template_fragments", "kx-fragments", 86400),
        )
    }
