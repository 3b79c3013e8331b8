"""The tasks replies' services enqueue, by name: services never import tasks (tasks import
services). Tests that replace a task's ``delay`` still see it here: it is the same object."""

import importlib

from celery import current_app


def _task(name: str):
    # Registers it in a web process, where Celery never autodiscovers.
    importlib.import_module(name.rpartition(".")[0])
    return current_app.tasks[name]


def record_reply(inbound_id: int) -> None:
    """On commit of the caller's transaction (the stored message must be there to read)."""
    _task("replies.tasks.record_reply").delay_on_commit(inbound_id)


def send_reply_questions(letter_id: int) -> None:
    _task("replies.tasks.send_reply_questions").delay(letter_id)


def send_reply_reminder(letter_id: int) -> None:
    _task("replies.tasks.send_reply_reminder").delay(letter_id)
