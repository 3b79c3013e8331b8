"""The tasks letters' services enqueue, by name: services never import tasks."""

from campaigns.enqueue import task


def deliver_later(delivery_id: int, *, countdown: float) -> None:
    task("letters.tasks.deliver").apply_async((delivery_id,), countdown=countdown)


def deliver_many(delivery_ids: list[int]) -> None:
    task("letters.tasks.deliver_many").delay(delivery_ids)


def tell_supporter_of_failure(delivery_id: int) -> None:
    task("letters.tasks.tell_supporter_of_failure").delay_on_commit(delivery_id)


def send_digest(target_id: int) -> None:
    task("letters.tasks.send_digest").delay(target_id)


def send_letter_confirmation(letter_ids: list[int]) -> None:
    task("letters.tasks.send_letter_confirmation").delay_on_commit(letter_ids)
