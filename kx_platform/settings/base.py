"""Settings shared by every environment.

Everything that differs between machines is read from the environment in the
environment-specific modules (dev, test, production); nothing secret lives here.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kx_platform.media_storage import default_storage_config, image_sources

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("KX_VAR_DIR", BASE_DIR / "var"))

INSTALLED_APPS = [
    "kx_platform",
    "practices",
    "experts",
    "experts.forum",
    "search",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.simple_translation",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.locales",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_countries",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks_db",
]

MIDDLEWARE = [
    "kx_platform.request_log.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "kx_platform.mfa_required.RequireMFAMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "practices.guidebook_publication.EditionNotReadyMiddleware",
]

ROOT_URLCONF = "kx_platform.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "kx_platform.wsgi.application"

# Embedded default: SQLite under var/. DATABASE_URL switches to PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'kx.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A 64 MB page cache (the default is 2 MB) and WAL so readers never wait for a writer.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA cache_size=-65536; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    INSTALLED_APPS.append("django.contrib.postgres")  # Wagtail's search index uses its fields
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's default per-process cache, plus a larger one for template fragments (`{% cache %}`
# uses the "template_fragments" alias when there is one): the forum caches the markup of
# every post shown, and the default cache's 300 entries would not hold one long thread.
# Throttling, rate limits, cached counts and post markup must be shared by every process:
# CACHE_URL names a Redis or Valkey server (redis://host:6379/0). Without it, development and
# tests keep a per-process memory cache and production a database table (production.py);
# a system check refuses a memory cache with DEBUG off (kx_platform.checks).
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "kx",
        },
        "template_fragments": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "kx-fragments",
            "TIMEOUT": 86400,
        },
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "template_fragments": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "kx-template-fragments",
            "TIMEOUT": 86400,
            "OPTIONS": {"MAX_ENTRIES": 20000},
        },
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# --- Accounts (django-allauth) -----------------------------------------------
# Sign-up with a verified e-mail address; sign-in by e-mail or by username (the
# demo users and existing staff accounts have usernames). Two-factor
# authentication (TOTP + recovery codes) is optional for members and experts and
# required for moderators and administrators (kx_platform.mfa_required).
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[KX] "
ACCOUNT_ADAPTER = "kx_platform.account_adapter.AccountAdapter"  # mail failures never 500
# allauth's forms with length limits on e-mail and login (kx_platform.account_forms).
ACCOUNT_FORMS = {
    "login": "kx_platform.account_forms.LoginForm",
    "signup": "kx_platform.account_forms.SignupForm",
    "add_email": "kx_platform.account_forms.AddEmailForm",
    "reset_password": "kx_platform.account_forms.ResetPasswordForm",
}
# allauth's defaults, stated so they are visible and reviewed. "login_failed": at most
# 10 failed sign-ins a minute from one address, and 5 per account every 5 minutes.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/300s/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/180s/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "KX"
# Wagtail's admin signs in through the same pages (and the same second factor).
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_RESET_ENABLED = False  # password resets go through allauth too

# --- Languages ---------------------------------------------------------------
# Arabic, English, French and Spanish from day one. Russian and Chinese (the
# other UN languages) are added by listing them in KX_EXTRA_LANGUAGES, e.g.
# "ru:Русский,zh-hans:中文", once their catalogues exist in locale/.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("ar", "العربية"),
    ("en", "English"),
    ("fr", "Français"),
    ("es", "Español"),
]
for _item in filter(None, os.environ.get("KX_EXTRA_LANGUAGES", "").split(",")):
    _code, _sep, _name = _item.partition(":")
    LANGUAGES.append((_code.strip(), _name.strip() or _code.strip()))

WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media --------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("KX_STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "kx_platform" / "static"]
# Media on the local disk (MEDIA_ROOT), or in an S3 or S3-compatible bucket when
# KX_MEDIA_S3_BUCKET is set (kx_platform.media_storage lists the variables). From the local
# disk only image renditions are served at MEDIA_URL (kx_platform.media_views); documents,
# expert photos and guidebook PDFs go through the views that check who asks.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("KX_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": default_storage_config(),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Wagtail -----------------------------------------------------------------
WAGTAIL_SITE_NAME = "KX"
WAGTAILADMIN_BASE_URL = os.environ.get("KX_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]
# Documents are never served raw: always through Wagtail's view, which checks the
# collection's privacy and sends nosniff, a CSP and Content-Disposition (whatever the
# storage: with S3 the view reads the file, it never redirects to the bucket). Only PDFs
# open in the browser; every other type is downloaded.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_INLINE_CONTENT_TYPES = ["application/pdf"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILADMIN_COMMENTS_ENABLED = True
TAGGIT_CASE_INSENSITIVE = True
# Theme lists typed with Arabic, Latin or full-width commas and semicolons, each theme
# shown in the reader's language (kx_platform.themes).
TAGGIT_TAGS_FROM_STRING = "kx_platform.themes.parse_tag_list"
TAGGIT_STRING_FROM_TAGS = "kx_platform.themes.edit_string_for_tags"

# --- Search ------------------------------------------------------------------
# The embedded index (SQLite FTS5) serves by default; ELASTICSEARCH_URL switches to a cluster.
KX_SEARCH_INDEX = os.environ.get("KX_SEARCH_INDEX", "")  # default: var/search.sqlite3
# The embedded index is a file of one host, which that host's web processes and task
# workers share (its drain is a task: search.outbox). KX_APP_HOSTS is how many hosts run
# KX's web processes or task workers: above 1, ELASTICSEARCH_URL is required (system check
# kx.search.E002). gunicorn's master catches the index up at start (`search_catch_up`),
# and /readyz's "search_index" fails while it is empty or missed changes (search.readiness).
KX_APP_HOSTS = os.environ.get("KX_APP_HOSTS", "1")
# Several nodes: comma-separated URLs. TLS: a CA bundle or the certificate's SHA-256 fingerprint.
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
ELASTICSEARCH_INDEX_PREFIX = os.environ.get("ELASTICSEARCH_INDEX_PREFIX", "kx")
ELASTICSEARCH_API_KEY = os.environ.get("ELASTICSEARCH_API_KEY", "")
ELASTICSEARCH_CA_CERTS = os.environ.get("ELASTICSEARCH_CA_CERTS", "")
ELASTICSEARCH_SSL_FINGERPRINT = os.environ.get("ELASTICSEARCH_SSL_FINGERPRINT", "")
ELASTICSEARCH_TIMEOUT = os.environ.get("ELASTICSEARCH_TIMEOUT", "10")
ELASTICSEARCH_MAX_RETRIES = os.environ.get("ELASTICSEARCH_MAX_RETRIES", "3")
# Primary shards and replicas of each index (a new index: search_rebuild applies a change).
ELASTICSEARCH_SHARDS = os.environ.get("ELASTICSEARCH_SHARDS", "1")
ELASTICSEARCH_REPLICAS = os.environ.get("ELASTICSEARCH_REPLICAS", "0")

# --- Background work (kx_platform.background) ---------------------------------
# "immediate" (development, tests): each task runs in the process that enqueued it, after
# its transaction commits. "database" (the production default): tasks are rows of the main
# database (django-tasks-db), run by `manage.py db_worker` (Wagtail's own tasks included).
KX_TASKS_BACKEND = os.environ.get("KX_TASKS_BACKEND", "immediate")
KX_TASK_BACKENDS = {
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
if KX_TASKS_BACKEND not in KX_TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"KX_TASKS_BACKEND must be one of {', '.join(KX_TASK_BACKENDS)}, not {KX_TASKS_BACKEND!r}."
    )
TASKS = {"default": {"BACKEND": KX_TASK_BACKENDS[KX_TASKS_BACKEND]}}

# --- Mail --------------------------------------------------------------------
# Every message is queued as a task (kx_platform.mail); the worker hands it to the
# "outgoing" mailer, trying again with growing delays while the mail server is down.
MAILERS = {
    "default": {"BACKEND": "kx_platform.mail.QueuedEmailBackend"},
    "outgoing": {"BACKEND": "django.core.mail.backends.console.EmailBackend"},
}
KX_MAIL_RETRY_BASE_SECONDS = int(os.environ.get("KX_MAIL_RETRY_BASE_SECONDS", "60"))
KX_MAIL_RETRY_ATTEMPTS = int(os.environ.get("KX_MAIL_RETRY_ATTEMPTS", "10"))
# When `manage.py scheduler` queues the daily jobs (UTC; kx_platform.schedule): the forum
# digest, and the clean-ups (expired sessions, finished tasks older than a week).
KX_DIGEST_TIME = os.environ.get("KX_DIGEST_TIME", "06:00")
KX_MAINTENANCE_TIME = os.environ.get("KX_MAINTENANCE_TIME", "03:00")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "KX <no-reply@kx.invalid>")
WAGTAILADMIN_NOTIFICATION_FROM_EMAIL = DEFAULT_FROM_EMAIL

# --- Security headers (Django's own CSP support) -----------------------------
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *image_sources(STORAGES["default"])],  # S3: the bucket's
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "frame-ancestors": [CSP.SELF],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
# Wagtail 8's admin still writes inline scripts without a nonce (InlinePanel, date pickers)
# and style attributes: its pages (kx_platform.urls) allow inline code, and nothing else more.
ADMIN_CSP = {
    **SECURE_CSP,
    "script-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
}
X_FRAME_OPTIONS = "SAMEORIGIN"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Logging -----------------------------------------------------------------
# KX_LOG_FORMAT=json (the production default): one JSON object per line with time, level,
# logger, message and request id (kx_platform.request_log).
KX_LOG_FORMAT = os.environ.get("KX_LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "kx_platform.request_log.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "kx_platform.request_log.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if KX_LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("KX_LOG_LEVEL", "WARNING")},
}

# --- Platform ----------------------------------------------------------------
KX_PRACTICES_PER_PAGE = 12
KX_PLATFORM_NAME = _("KX: South-South knowledge exchange")
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # never send experts' e-mail hashes to a third party
