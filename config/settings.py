"""Pluma's settings: one module, read from the environment.

Without any environment the site runs on the embedded default (SQLite under var/, an
in-process-free filesystem broker, email written to var/outbox/). Production sets
DJANGO_ENV=production, which makes every secret mandatory.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PLUMA_VAR_DIR", BASE_DIR / "var"))

IS_PRODUCTION = os.environ.get("DJANGO_ENV", "development") == "production"


def env(name: str, default: str | None = None) -> str:
    """A string setting; in production a setting without a default must be set."""
    value = os.environ.get(name)
    if value not in (None, ""):
        return value
    if default is None:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return default


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


# --- Core -----------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", default=not IS_PRODUCTION)
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
]

MIDDLEWARE = [
    # First, before anything reads a body: lets ESP inbound posts past the form-size limit.
    "replies.middleware.InboundMailBodyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Above sessions, locale and CSRF: a cached page skips all of them (cms/cache.py).
    "cms.cache.PageCacheMiddleware",
    # Also above sessions, locale and the rest: the session endpoint every visitor of a
    # case page fetches (petitions/middleware.py).
    "petitions.middleware.SessionEndpointMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
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

# --- Database -------------------------------------------------------------------------

DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'pluma.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's cursors never prepare (they bind parameters on the client); the few hot
    # statements that ask for a server-binding cursor (petitions/records.py) are prepared
    # on their fifth run on a connection. Behind PgBouncer in transaction mode, use 1.21+
    # with max_prepared_statements set, or turn this off.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
        5 if env_bool("DATABASE_PREPARED_STATEMENTS", True) else None
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A fresh checkout has no var/ yet; SQLite will not create the folder itself.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # The embedded default runs web and worker as separate processes on one file: WAL lets
    # readers go on while one writes, and IMMEDIATE transactions take the write lock up
    # front so two writers queue instead of failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, broker, rate limits -------------------------------------------------------

REDIS_URL = env("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's backend, reusing its Redis client object (see config/redis_cache.py).
            "BACKEND": "config.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "pluma",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Each process's own short-lived copies of hot, rarely changing rows (campaigns/public.py,
# the email blocklist): read on every signing request, they should cost no round trip.
CACHES["local"] = {
    "BACKEND": "config.process_cache.ProcessCache",
    "OPTIONS": {"MAX_ENTRIES": 1000},
}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL == "filesystem://":
    # kombu's filesystem transport: a folder stands in for the broker on one machine.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "broker"),
        "data_folder_out": str(VAR_DIR / "broker"),
        "control_folder": str(VAR_DIR / "broker-control"),
        "store_processed": False,
    }
    for _folder in ("broker", "broker-control"):
        (VAR_DIR / _folder).mkdir(parents=True, exist_ok=True)
else:
    # A task not acknowledged within this time is handed to another worker; no countdown
    # may exceed it (long waits are scheduled from the database instead).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Without it Celery's Django fixup closes the database connection before and after every
# task, so each letter paid for a new PostgreSQL connection (bench/deliver.py). With it, a
# worker keeps its connection for this many tasks; config/celery.py still drops broken
# and CONN_MAX_AGE-old ones after each task.
CELERY_DB_REUSE_MAX = 1000
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "close-expired-actions": {
        "task": "campaigns.tasks.close_expired_actions",
        "schedule": 300.0,
    },
    # Hourly, so a missed run is caught up; each subscriber still gets one digest a week.
    "send-weekly-digests": {
        "task": "campaigns.tasks.send_due_weekly_digests",
        "schedule": 3600.0,
    },
    # Daily: anonymise supporters' data of cases closed longer than PLUMA_RETENTION_DAYS.
    "apply-retention": {
        "task": "campaigns.tasks.apply_retention",
        "schedule": 86400.0,
    },
    # Re-queues letters whose lease expired and enqueues those whose wait is over.
    "sweep-deliveries": {
        "task": "letters.tasks.sweep_deliveries",
        "schedule": 60.0,
    },
    # Announcement emails whose hand-out was lost still go (campaigns/announcements.py).
    "dispatch-announcements": {
        "task": "campaigns.tasks.dispatch_announcements",
        "schedule": 60.0,
    },
    # Confirmation emails whose dispatch was lost (broker down at the sign-up) still go.
    "dispatch-confirmations": {
        "task": "petitions.tasks.dispatch_confirmations",
        "schedule": 60.0,
    },
    # Hourly, so a missed run is caught up; each target still gets one digest a day.
    "send-digests": {
        "task": "letters.tasks.send_due_digests",
        "schedule": 3600.0,
    },
    # "Did you get a reply?": hourly, each question is asked once and reminded once.
    "ask-about-replies": {
        "task": "replies.tasks.ask_about_replies",
        "schedule": 3600.0,
    },
    "remind-about-replies": {
        "task": "replies.tasks.remind_about_replies",
        "schedule": 3600.0,
    },
}

# --- Email ----------------------------------------------------------------------------

DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Pluma <noreply@pluma.example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ANYMAIL_ESP = env("ANYMAIL_ESP", "")
ANYMAIL_BACKENDS = {
    "postmark": "anymail.backends.postmark.EmailBackend",
    "mailgun": "anymail.backends.mailgun.EmailBackend",
    "amazon_ses": "anymail.backends.amazon_ses.EmailBackend",
    "sendgrid": "anymail.backends.sendgrid.EmailBackend",
}
if ANYMAIL_ESP:
    if ANYMAIL_ESP not in ANYMAIL_BACKENDS:
        raise ImproperlyConfigured(
            f"ANYMAIL_ESP must be one of {', '.join(sorted(ANYMAIL_BACKENDS))}, not {ANYMAIL_ESP!r}."
        )
    EMAIL_BACKEND = ANYMAIL_BACKENDS[ANYMAIL_ESP]
elif IS_PRODUCTION:
    raise ImproperlyConfigured("Set ANYMAIL_ESP (postmark, mailgun, amazon_ses or sendgrid).")
else:
    EMAIL_BACKEND = "config.outbox.OutboxEmailBackend"
EMAIL_OUTBOX_DIR = VAR_DIR / "outbox"
# anymail reads its keys (ANYMAIL_POSTMARK_SERVER_TOKEN, ANYMAIL_MAILGUN_API_KEY, …) from
# settings; copy every ANYMAIL_* variable of the environment into the ANYMAIL dict.
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in os.environ.items()
    if key.startswith("ANYMAIL_") and key != "ANYMAIL_ESP"
}
EMAIL_TIMEOUT = 10
# Every ESP call gives up after this many seconds (a string from the environment would
# reach requests as-is, so it is read as a number).
ANYMAIL_REQUESTS_TIMEOUT = env_int("ANYMAIL_REQUESTS_TIMEOUT", 20)
ANYMAIL["REQUESTS_TIMEOUT"] = ANYMAIL_REQUESTS_TIMEOUT
if IS_PRODUCTION and not ANYMAIL.get("WEBHOOK_SECRET"):
    # Without it anyone could mark letters delivered or bounced.
    raise ImproperlyConfigured("Set ANYMAIL_WEBHOOK_SECRET (user:password) for the ESP webhooks.")
LETTERS_FROM_EMAIL = env(
    "LETTERS_FROM_EMAIL", None if IS_PRODUCTION else "letters@pluma.example.org"
)
REPLY_DOMAIN = env("REPLY_DOMAIN", None if IS_PRODUCTION else "reply.pluma.example.org")

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
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

LOGIN_URL = "wagtailadmin_login"

# --- Wagtail --------------------------------------------------------------------------

WAGTAIL_SITE_NAME = ORGANISATION_NAME
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAILDOCS_EXTENSIONS = ["pdf", "csv", "txt", "docx", "odt"]

# --- Security -------------------------------------------------------------------------

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Pluma ----------------------------------------------------------------------------

# How many reverse proxies (load balancer, CDN, …) stand in front of the web nodes: the
# client's address is that many entries from the right of X-Forwarded-For. 0 = none.
PLUMA_TRUSTED_PROXIES = env_int("PLUMA_TRUSTED_PROXIES", 0)
# Sign-ups one client address may make per case before the rest are flagged (not counted).
PLUMA_SIGN_RATE = env("PLUMA_SIGN_RATE", "30/h")
# Anonymous views of Wagtail pages are kept this long in the shared cache and marked
# cacheable as long for CDNs (publishing purges the cache at once); 0 turns it off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 30)
# How long each web process reuses its copy of a public case for the signing form and its
# session endpoint (campaigns/public.py); signing re-checks the status as it writes.
PLUMA_PUBLIC_CASE_SECONDS = env_int("PLUMA_PUBLIC_CASE_SECONDS", 2)
# How often the auto-close task looks for cases past their deadline (seconds).
PLUMA_CLOSE_EXPIRED_EVERY = env_int("PLUMA_CLOSE_EXPIRED_EVERY", 300)
CELERY_BEAT_SCHEDULE["close-expired-actions"]["schedule"] = float(PLUMA_CLOSE_EXPIRED_EVERY)
# Supporters' names, emails and letters on a case are anonymised this many days after it
# closed (counts stay).
PLUMA_RETENTION_DAYS = env_int("PLUMA_RETENTION_DAYS", 183)
# The mailto of the List-Unsubscribe header; mail to it is handled like the one-click link.
PLUMA_UNSUBSCRIBE_EMAIL = env("PLUMA_UNSUBSCRIBE_EMAIL", f"unsubscribe@{REPLY_DOMAIN}")
# How long a "see my data" link works (seconds); it also works only once.
PLUMA_DATA_LINK_MAX_AGE = env_int("PLUMA_DATA_LINK_MAX_AGE", 24 * 3600)
# Default pace per official; each target's delivery policy can change it.
PLUMA_LETTERS_PER_TARGET_HOUR = env_int("PLUMA_LETTERS_PER_TARGET_HOUR", 30)
# A letter stuck in "sending" this long is handed back to the queue by the sweeper.
PLUMA_DELIVERY_LEASE_SECONDS = env_int("PLUMA_DELIVERY_LEASE_SECONDS", 300)
if PLUMA_DELIVERY_LEASE_SECONDS <= 2 * ANYMAIL_REQUESTS_TIMEOUT:
    # A lease shorter than a send could expire mid-send and the letter go out twice.
    raise ImproperlyConfigured(
        "PLUMA_DELIVERY_LEASE_SECONDS must be more than twice ANYMAIL_REQUESTS_TIMEOUT."
    )
# Replies: supporters are asked "did you get a reply?" this many days after a letter
# reached the official, and reminded once this many days later if they did not answer.
PLUMA_REPLY_QUESTION_DAYS = env_int("PLUMA_REPLY_QUESTION_DAYS", 14)
PLUMA_REPLY_REMINDER_DAYS = env_int("PLUMA_REPLY_REMINDER_DAYS", 7)
# A reply address stops routing this many days after its letter was sent (quarantine).
PLUMA_REPLY_TOKEN_DAYS = env_int("PLUMA_REPLY_TOKEN_DAYS", 365)
# Largest attachment of a reply, or upload of a postal reply, that is kept (bytes).
PLUMA_REPLY_ATTACHMENT_MAX_BYTES = env_int("PLUMA_REPLY_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
# Largest ESP inbound post taken (bytes): Postmark sends up to 35 MB of email as base64
# JSON. Only posts with the webhook secret get past Django's 2.5 MB (replies/middleware.py).
PLUMA_INBOUND_MAX_BYTES = env_int("PLUMA_INBOUND_MAX_BYTES", 50 * 1024 * 1024)
# Officials on a daily digest get it after this hour, local time (TIME_ZONE), with at most
# this many letters (an email their server still takes); the rest wait a day.
PLUMA_DIGEST_HOUR = env_int("PLUMA_DIGEST_HOUR", 8)
PLUMA_DIGEST_MAX_LETTERS = env_int("PLUMA_DIGEST_MAX_LETTERS", 1000)
# Letters in one printed bundle (a PDF organizers print and post); the rest go in the next.
PLUMA_BUNDLE_MAX_LETTERS = env_int("PLUMA_BUNDLE_MAX_LETTERS", 2000)
