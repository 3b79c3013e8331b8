"""What webhooks' services queue, by task name (services never import tasks)."""

from campaigns.dispatch import Dispatch
from campaigns.enqueue import task

# Events recorded anywhere ask for one dispatch a second, whatever their number.
DISPATCH = Dispatch("webhooks.tasks.dispatch_webhooks")


def request_dispatch() -> None:
    """Fan the new events out and hand what is due to workers, about a second from now."""
    DISPATCH.request()


def deliver_webhooks_later(delivery_ids: list[int], *, countdown: float) -> None:
    task("webhooks.tasks.deliver_webhooks").apply_async((delivery_ids,), countdown=countdown)


def tell_organizers_endpoint_off(endpoint_id: int) -> None:
    task("webhooks.tasks.tell_organizers_endpoint_off").delay_on_commit(endpoint_id)
