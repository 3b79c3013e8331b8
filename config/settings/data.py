"""Where data lives: the database, the cache, the broker and the Celery beat schedule."""

from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .environment import IS_PRODUCTION, VAR_DIR, env, env_bool

# --- Database -------------------------------------------------------------------------

# In production both are required: a node without them would run alone, on a SQLite file
# and its own memory, and nobody would notice until signatures went missing.
DATABASE_URL = env(
    "DATABASE_URL", None if IS_PRODUCTION else f"sqlite:///{VAR_DIR / 'pluma.sqlite3'}"
)
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's cursors never prepare (they bind parameters on the client); the few hot
    # statements that ask for a server-binding cursor (petitions/services/records.py) are prepared
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

# A streaming replica of the primary, for the reads that may lag (campaigns/replica.py):
# exports, dashboards, open data and packs. Everything else, and every write, goes to the
# primary (config/routers.py). Its connections are read-only, so that a write sent there
# by mistake fails even if the URL named the primary.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", "")
DATABASE_REPLICA = ""  # the alias of the replica, or "" without one
if DATABASE_REPLICA_URL:
    DATABASE_REPLICA = "replica"
    DATABASES[DATABASE_REPLICA] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=60, conn_health_checks=True
    )
    if DATABASES[DATABASE_REPLICA]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must name a PostgreSQL replica.")
    DATABASES[DATABASE_REPLICA].setdefault("OPTIONS", {}).update(
        DATABASES["default"].get("OPTIONS", {}), options="-c default_transaction_read_only=on"
    )
DATABASE_ROUTERS = ["config.routers.PrimaryReplicaRouter"]


# --- Cache, broker, rate limits -------------------------------------------------------

REDIS_URL = env("REDIS_URL", None if IS_PRODUCTION else "")
CACHES: dict[str, dict[str, Any]]
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
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, str | bool | int] = {}
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
    # "Send me a new link / my data" requests whose dispatch was lost are answered too.
    "dispatch-email-requests": {
        "task": "campaigns.tasks.dispatch_email_requests",
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
    # Sources over PLUMA_TRENDING_THRESHOLD within the window: organizers hear of one within
    # five minutes, once per window (actions/trending.py).
    "alert-trending-sources": {
        "task": "actions.tasks.alert_trending_sources",
        "schedule": 300.0,
    },
}
