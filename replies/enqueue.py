"""The tasks replies' services enqueue, by name: services never import tasks (tasks import
services). Tests that replace a task's ``delay`` still see it here: it is the same object."""

from campaigns.enqueue import task


def record_reply(inbound_id: int) -> None:
    """On commit of the caller's transaction (the stored message must be there to read)."""
    task("replies.tasks.record_reply").delay_on_commit(inbound_id)


def send_reply_questions(letter_id: int) -> None:
    task("replies.tasks.send_reply_questions").delay(letter_id)


def send_reply_reminder(letter_id: int) -> None:
    task("replies.tasks.send_reply_reminder").delay(letter_id)
