"""The site itself: hosts, apps, middleware, templates, accounts, languages, files,
Wagtail, HTTPS and logs."""

from pathlib import Path

from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .environment import BASE_DIR, IS_PRODUCTION, VAR_DIR, env, env_bool, env_int, env_list

# --- Core -----------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", default=not IS_PRODUCTION)
if IS_PRODUCTION and DEBUG:
    # Debug pages show settings and tracebacks with supporters' data to anyone.
    raise ImproperlyConfigured("DEBUG must be off when DJANGO_ENV=production.")
# Development gets a fixed, obviously unsafe key; production must bring its own.
SECRET_KEY = env("SECRET_KEY", None if IS_PRODUCTION else "dev-only-insecure-key-change-me")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if IS_PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = env("SITE_URL", None if IS_PRODUCTION else "http://127.0.0.1:8000").rstrip("/")
ORGANISATION_NAME = env("ORGANISATION_NAME", "Pluma")

INSTALLED_APPS = [
    "campaigns",
    "petitions",
    "letters",
    "replies",
    "handovers",
    "actions",
    "webhooks",
    "cms",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_countries",
    "anymail",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "csp",
]

MIDDLEWARE = [
    # /healthz, /readyz and /metrics, before anything else runs (config/middleware.py).
    "config.middleware.OperationsMiddleware",
    # First, before anything reads a body: lets ESP inbound posts past the form-size limit.
    "replies.middleware.InboundMailBodyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Above the page cache, so a cached page gets the same headers as a fresh one; below
    # them, a response's X-Frame-Options is final when the policy copies it.
    "config.csp.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Above sessions, locale and CSRF: a cached page skips all of them (cms/cache.py).
    "cms.cache.PageCacheMiddleware",
    # Also above sessions, locale and the rest: the session endpoint every visitor of a
    # case page fetches (petitions/middleware.py).
    "petitions.middleware.SessionEndpointMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF: a method the view does not take is a 405, not CSRF's 403 (campaigns/http.py).
    "campaigns.http.MethodNotAllowedMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
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
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
                "cms.context_processors.organisation",
            ],
        },
    },
]


# --- Auth, i18n, static ---------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
# Packs, reply attachments and uploaded postal replies hold supporters' names: they live
# apart from the media an operator serves, and reach people only through admin views
# that check permissions and log each download (campaigns/private_files.py).
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
if PRIVATE_MEDIA_ROOT.resolve().is_relative_to(MEDIA_ROOT.resolve()):
    raise ImproperlyConfigured(
        "PRIVATE_MEDIA_ROOT must not be inside MEDIA_ROOT: everything there is served."
    )
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "campaigns.private_files.PrivateFileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# S3-compatible object storage instead of the two folders, when a bucket is named: case
# images and documents in AWS_STORAGE_BUCKET_NAME (public: its policy lets anyone read);
# packs, attachments and postal replies in AWS_PRIVATE_BUCKET_NAME, which lets nobody
# else read and has no URL at all (config/object_storage.py). Keys are boto3's:
# AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the machine's role.
_public_bucket = env("AWS_STORAGE_BUCKET_NAME", "")
if _public_bucket:
    _private_bucket = env("AWS_PRIVATE_BUCKET_NAME")
    if _private_bucket == _public_bucket:
        raise ImproperlyConfigured(
            "AWS_PRIVATE_BUCKET_NAME must not be AWS_STORAGE_BUCKET_NAME: everything there is served."
        )
    _s3 = {
        "endpoint_url": env("AWS_S3_ENDPOINT_URL", "") or None,
        "region_name": env("AWS_S3_REGION_NAME", "") or None,
    }
    STORAGES["default"] = {
        "BACKEND": "config.object_storage.PublicMediaStorage",
        "OPTIONS": {
            **_s3,
            "bucket_name": _public_bucket,
            # e.g. pluma.example.org/media, with /media/ routed to the bucket by the
            # balancer or CDN: pages then load images from their own host.
            "custom_domain": env("AWS_S3_CUSTOM_DOMAIN", "") or None,
        },
    }
    STORAGES["private"] = {
        "BACKEND": "config.object_storage.PrivateMediaStorage",
        "OPTIONS": {**_s3, "bucket_name": _private_bucket},
    }

LOGIN_URL = "wagtailadmin_login"


# --- Wagtail --------------------------------------------------------------------------

WAGTAIL_SITE_NAME = ORGANISATION_NAME
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAILDOCS_EXTENSIONS = ["pdf", "csv", "txt", "docx", "odt"]
# No page, public or admin, asks another host for anything: Gravatar would learn which
# editor works where (by the hash of their address), and the update check which site runs
# which Wagtail. Avatars are the ones editors upload; the version is in `pip list`.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False


# --- Security -------------------------------------------------------------------------

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Only this site's own files, scripts and styles, on every page: no CDN, font host or
# analytics learns who reads which case, and injected markup cannot run. Public pages have
# no inline script or style at all (a per-request nonce would be frozen into the shared
# page cache); the admin's inline scripts are Wagtail's own widget set-ups, which get a
# nonce per request (config/csp.py). frame-ancestors follows X-Frame-Options (DENY, and
# SAMEORIGIN where Wagtail's preview frames a page).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF],
        "frame-src": [SELF],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Features no page of Pluma uses, turned off for it and anything it might embed.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
SESSION_COOKIE_HTTPONLY = True
if IS_PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    # The HSTS preload warning is a choice for the operator, not a defect.
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]


# --- Logging --------------------------------------------------------------------------

# LOG_FORMAT=json: one JSON object per line, for a log collector; text by default.
LOG_FORMAT = env("LOG_FORMAT", "text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line, the web server's access log included, passes through the same filter:
    # links' tokens masked, control characters escaped (config/logs.py).
    "filters": {"safe": {"()": "config.logs.SafeLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "access": {"format": "%(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["safe"],
        },
        # granian's access log (`--access-log`), on standard output as granian writes it.
        "access": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json" if LOG_FORMAT == "json" else "access",
            "filters": ["safe"],
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Django's own handlers for these print without the filter: theirs go, and the
        # records reach the root's handler instead.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "granian.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}
# A Celery worker replaces the root logger's handler with its own text one, unless told not
# to: with JSON logs, its lines go through the handler above like every other.
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"
