"""Celery entry points for campaigns: ids in, one service call each."""

from celery import shared_task

from . import services
from .retry import RELIABLE, SEND_RETRY


@shared_task(name="campaigns.tasks.close_expired_actions")
def close_expired_actions() -> int:
    return services.close_expired_actions()


@shared_task(name="campaigns.tasks.fan_out_announcement")
def fan_out_announcement(announcement_id: int) -> int:
    return services.fan_out_announcement(announcement_id=announcement_id)


@shared_task(name="campaigns.tasks.dispatch_announcements", acks_late=True)
def dispatch_announcements() -> int:
    return services.dispatch_announcements()


@shared_task(name="campaigns.tasks.send_announcements", **SEND_RETRY)
def send_announcements(delivery_ids: list[int]) -> int:
    return services.send_announcements(delivery_ids=delivery_ids)


# One row at a time: how fan-outs before 0.2 enqueued their sends.
@shared_task(name="campaigns.tasks.send_announcement", **SEND_RETRY)
def send_announcement(delivery_id: int) -> bool:
    return services.send_announcement(delivery_id=delivery_id)


@shared_task(name="campaigns.tasks.send_subscription_confirmation", **SEND_RETRY)
def send_subscription_confirmation(subscription_id: int) -> bool:
    return services.send_subscription_confirmation(subscription_id=subscription_id)


@shared_task(name="campaigns.tasks.send_due_weekly_digests")
def send_due_weekly_digests() -> int:
    return services.send_due_weekly_digests()


@shared_task(name="campaigns.tasks.send_weekly_digest", **SEND_RETRY)
def send_weekly_digest(subscription_id: int) -> bool:
    return services.send_weekly_digest(subscription_id=subscription_id)


@shared_task(name="campaigns.tasks.send_data_link", **SEND_RETRY)
def send_data_link(supporter_id: int) -> bool:
    return services.send_data_link(supporter_id=supporter_id)


@shared_task(name="campaigns.tasks.dispatch_email_requests", acks_late=True)
def dispatch_email_requests() -> int:
    return services.dispatch_email_requests()


# Each request is answered in the transaction that deletes it: a worker lost mid-way
# leaves it to be answered again.
@shared_task(name="campaigns.tasks.answer_email_requests", **RELIABLE)
def answer_email_requests(request_ids: list[int]) -> int:
    return services.answer_email_requests(request_ids=request_ids)


@shared_task(name="campaigns.tasks.apply_retention", soft_time_limit=3000, time_limit=3300)
def apply_retention() -> dict[str, int]:
    return services.apply_retention()
