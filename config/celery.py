"""The Celery app. Settings come from Django's settings under the CELERY_ prefix."""

import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger, task_postrun

from .logs import SafeLogFilter

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("pluma")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@after_setup_logger.connect
@after_setup_task_logger.connect
def _safe_logs(logger=None, **kwargs) -> None:
    """A worker replaces Django's log handlers with its own: they get the same filter, so
    its lines carry no link tokens and no raw control characters either (config/logs.py)."""
    for handler in getattr(logger, "handlers", ()):
        if not any(isinstance(f, SafeLogFilter) for f in handler.filters):
            handler.addFilter(SafeLogFilter())


@task_postrun.connect
def _drop_unusable_connections(sender=None, **kwargs) -> None:
    """With CELERY_DB_REUSE_MAX, Celery keeps connections across tasks; close the ones that
    failed or outlived CONN_MAX_AGE, as Django does between requests (only then: a
    health check on every task would cost a round trip)."""
    import time

    from django.db import connections

    if getattr(getattr(sender, "request", None), "is_eager", False):
        return  # run inline (tests, eager mode): the caller's connection, maybe in a transaction
    for conn in connections.all(initialized_only=True):
        if conn.errors_occurred or (
            conn.close_at is not None and time.monotonic() >= conn.close_at
        ):
            conn.close_if_unusable_or_obsolete()
