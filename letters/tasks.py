"""Celery entry points for letters: ids in, one service call each.

Late acks and reject-on-worker-lost come from the settings (CELERY_TASK_ACKS_LATE,
CELERY_TASK_REJECT_ON_WORKER_LOST) and are repeated here because delivery depends on
them: a worker killed mid-task leaves the message on the broker, and the row's lease
lets the sweeper recover it if the broker loses the message too.
"""

from celery import shared_task

from campaigns.retry import RELIABLE, SEND_RETRY

from . import services
from .services import composing, digests


@shared_task(name="letters.tasks.deliver", **RELIABLE)
def deliver(delivery_id: int) -> str:
    # Retries are the service's business (backoff in the database), not Celery's.
    return services.deliver(delivery_id=delivery_id)


@shared_task(name="letters.tasks.deliver_many", **RELIABLE)
def deliver_many(delivery_ids: list[int]) -> dict[str, int]:
    # A batch of rows per task, as the dispatch and the sweeper enqueue them: the broker's
    # and Celery's cost once per batch, not per letter.
    return services.deliver_many(delivery_ids=delivery_ids)


@shared_task(name="letters.tasks.dispatch_deliveries", **RELIABLE)
def dispatch_deliveries() -> int:
    return services.dispatch_deliveries()


@shared_task(name="letters.tasks.sweep_deliveries", **RELIABLE)
def sweep_deliveries() -> dict[str, int]:
    return services.sweep_deliveries()


@shared_task(name="letters.tasks.tell_supporter_of_failure", **SEND_RETRY, **RELIABLE)
def tell_supporter_of_failure(delivery_id: int) -> bool:
    return services.tell_supporter_of_failure(delivery_id=delivery_id)


@shared_task(name="letters.tasks.send_due_digests", **RELIABLE)
def send_due_digests() -> int:
    return digests.send_due_digests()


@shared_task(name="letters.tasks.send_digest", **RELIABLE)
def send_digest(target_id: int) -> str:
    return digests.send_digest(target_id=target_id)


@shared_task(name="letters.tasks.send_letter_confirmation", **SEND_RETRY)
def send_letter_confirmation(letter_ids: list[int]) -> bool:
    return composing.send_letter_confirmation(letter_ids=letter_ids)
