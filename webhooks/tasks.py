"""Celery entry points for webhooks: ids in, one service call each.

Late acks and reject-on-worker-lost (campaigns.retry.RELIABLE): a worker killed mid-task
leaves the message on the broker, and each row's lease lets the dispatch take it back if
the broker loses the message too. Retries are the service's business (backoff in the
database), not Celery's.
"""

from celery import shared_task

from campaigns.retry import RELIABLE, SEND_RETRY

from . import services


@shared_task(name="webhooks.tasks.dispatch_webhooks", **RELIABLE)
def dispatch_webhooks() -> dict[str, int]:
    return services.dispatch_webhooks()


@shared_task(name="webhooks.tasks.deliver_webhooks", **RELIABLE)
def deliver_webhooks(delivery_ids: list[int]) -> dict[str, int]:
    return services.deliver_webhooks(delivery_ids=delivery_ids)


@shared_task(name="webhooks.tasks.tell_organizers_endpoint_off", **SEND_RETRY, **RELIABLE)
def tell_organizers_endpoint_off(endpoint_id: int) -> int:
    return services.tell_organizers_endpoint_off(endpoint_id=endpoint_id)


@shared_task(name="webhooks.tasks.prune_webhook_log", **RELIABLE)
def prune_webhook_log() -> int:
    return services.prune_webhook_log()
