from celery import shared_task

from . import services


@shared_task(name="campaigns.tasks.close_expired_actions")
def close_expired_actions() -> int:
    return services.close_expired_actions()
