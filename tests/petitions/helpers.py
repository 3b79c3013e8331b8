import re

from celery import current_app
from django.core import mail

CONFIRM_URL = re.compile(r"https?://\S+/petition/confirm/(?P<token>[^/\s]+)/")


def queued(callbacks) -> list[tuple[str, tuple]]:
    """(task name, arguments) of every task enqueued by the captured on-commit callbacks."""
    return [(cb.func.__self__.name, cb.args) for cb in callbacks if hasattr(cb, "func")]


def run_queued(callbacks) -> None:
    """Run the captured enqueues as a worker would (calling the tasks), without eager mode."""
    for name, args in queued(callbacks):
        current_app.tasks[name](*args)


def last_token() -> str:
    match = CONFIRM_URL.search(mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match["token"]
