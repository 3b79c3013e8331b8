import re

from celery import current_app
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from tests.forms import answer_email_requests

CONFIRM_URL = re.compile(r"https?://\S+/petition/confirm/(?P<token>[^/\s]+)/")


def queued(callbacks) -> list[tuple[str, tuple]]:
    """(task name, arguments) of every task enqueued by the captured on-commit callbacks."""
    return [(cb.func.__self__.name, cb.args) for cb in callbacks if hasattr(cb, "func")]


def run_queued(callbacks) -> None:
    """Run the captured enqueues as a worker would (calling the tasks), without eager mode;
    a requested dispatch of confirmation emails sends those that are due, and one of
    email requests ("new link", "my data") answers them, running what they queue."""
    from campaigns import email_requests
    from petitions import services

    if email_requests.DISPATCH.request in callbacks:
        with TestCase.captureOnCommitCallbacks() as answered:
            answer_email_requests()
        run_queued(answered)
    for callback in callbacks:
        if callback is services.request_confirmation_dispatch:
            now = timezone.now()
            services.send_due_confirmations(signature_ids=services.due_confirmations(now=now))
            notices = services.NOTICE_OUTBOX.waiting(now=now).values_list("pk", flat=True)
            services.send_due_notices(signature_ids=list(notices))
    for name, args in queued(callbacks):
        current_app.tasks[name](*args)


def dispatch_requested(callbacks) -> bool:
    from petitions import services

    return services.request_confirmation_dispatch in callbacks


def last_token() -> str:
    match = CONFIRM_URL.search(mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match["token"]
