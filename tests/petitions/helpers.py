import re

from celery import current_app
from django.core import mail
from django.utils import timezone

CONFIRM_URL = re.compile(r"https?://\S+/petition/confirm/(?P<token>[^/\s]+)/")


def queued(callbacks) -> list[tuple[str, tuple]]:
    """(task name, arguments) of every task enqueued by the captured on-commit callbacks."""
    return [(cb.func.__self__.name, cb.args) for cb in callbacks if hasattr(cb, "func")]


def run_queued(callbacks) -> None:
    """Run the captured enqueues as a worker would (calling the tasks), without eager mode;
    a requested dispatch of confirmation emails sends those that are due."""
    from petitions import services

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
