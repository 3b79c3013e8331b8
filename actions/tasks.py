"""Celery entry points for actions: one service call each."""

from celery import shared_task

from . import services


# Periodic (CELERY_BEAT_SCHEDULE): a run that fails leaves its sources to the next one.
@shared_task(name="actions.tasks.alert_trending_sources", acks_late=True)
def alert_trending_sources() -> int:
    return services.alert_trending_sources()
