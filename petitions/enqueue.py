"""The tasks petitions' services enqueue, by name: services never import tasks."""

from campaigns.enqueue import task


def send_confirmation(signature_id: int) -> None:
    task("petitions.tasks.send_confirmation").delay_on_commit(signature_id)
