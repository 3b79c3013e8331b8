"""Test settings: the real settings, made fast and hermetic."""

import os
import tempfile

# Each test run gets its own var/ so outbox files and SQLite never leak between runs.
os.environ.setdefault("PLUMA_VAR_DIR", tempfile.mkdtemp(prefix="pluma-test-"))

from config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "local": {"BACKEND": "config.process_cache.ProcessCache"},
}
# Ids repeat from one test to the next; tests/campaigns/test_public.py switches it on.
PLUMA_PUBLIC_CASE_SECONDS = 0
# The shared page cache would carry pages from one test into the next (same paths, same
# ids); tests/cms/test_cache.py switches it on where it is the subject.
PAGE_CACHE_SECONDS = 0
# Tasks are enqueued to an in-memory broker; tests call tasks directly, and the tests that
# need a real worker start one against Redis themselves.
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# A second alias on the test database, as a replica would be (read-only on PostgreSQL).
# Reads use it only where a test turns it on (settings.DATABASE_REPLICA = "replica"):
# tests/test_replica.py.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["replica"]["OPTIONS"] = {  # noqa: F405
        **DATABASES["default"].get("OPTIONS", {}),  # noqa: F405
        "options": "-c default_transaction_read_only=on",
    }
else:
    # SQLite's in-memory test database is shared by its connections with table locks; a
    # reader that takes none never meets the writer's.
    DATABASES["replica"]["OPTIONS"] = {"init_command": "PRAGMA read_uncommitted = true;"}  # noqa: F405
