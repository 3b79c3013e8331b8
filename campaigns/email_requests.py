"""Emails a public form asks for whose sending depends on what Pluma holds about an address.

"Send me a new confirmation link" and "send me a link to my data" answer the same, in
content and in time, whether or not the address signed or is known (DESIGN §6). Looking
the address up, writing and queueing an email takes longer than finding nothing, and a
few milliseconds told over a few dozen tries are enough to learn who signed. So the form
does neither: it writes an `EmailRequest` (the same INSERT for any address), asks for a
dispatch, and answers. A second later a worker gives each request to the handler its
kind's app registered at start-up, which looks the address up and queues an email or
not; the row, and with it the typed address, is deleted in the same transaction.

A request's handler runs once: claiming a row is deleting it. A worker killed after the
commit and before its emails were queued loses those requests; the person asks again.
"""

from __future__ import annotations

import datetime
from typing import Protocol

from django.db import transaction
from django.db.models import Q

from .dispatch import Dispatch
from .models import EmailRequest
from .outbox import Outbox

# Requests handed to a worker this long ago and still there are handed out again.
LEASE = datetime.timedelta(minutes=10)
BATCH = 50


class Handler(Protocol):
    def __call__(self, *, email: str, case_id: int | None, language: str) -> None: ...


_handlers: dict[str, Handler] = {}


def register(kind: str, handler: Handler) -> None:
    """Answer requests of ``kind`` with ``handler`` (an app's ready() registers its own)."""
    _handlers[kind] = handler


OUTBOX: Outbox[EmailRequest] = Outbox(
    model=EmailRequest,
    due=lambda now: Q(),
    handed_out="handed_out_at",
    lease=lambda: LEASE,
    task_name="campaigns.tasks.answer_email_requests",
    batch=BATCH,
)
DISPATCH = Dispatch("campaigns.tasks.dispatch_email_requests")


def request_email(
    *, kind: str, email: str, case_id: int | None = None, language: str = ""
) -> EmailRequest:
    """Write the request and ask for a dispatch on commit; nothing else, for any address."""
    if kind not in _handlers:
        raise LookupError(f"No handler registered for email requests of kind {kind!r}.")
    request = EmailRequest.objects.create(
        kind=kind, email=email, case_id=case_id, language=language
    )
    # robust: the request is written whatever the broker says; the beat dispatches too.
    transaction.on_commit(DISPATCH.request, robust=True)
    return request


def dispatch_email_requests(*, now: datetime.datetime | None = None) -> int:
    """Hand waiting requests to workers, BATCH to a task; returns how many."""
    return OUTBOX.hand_out(now=now)


def answer_email_requests(*, request_ids: list[int]) -> int:
    """Answer those of these requests still waiting, each once; returns how many.

    Each request is deleted in the transaction its handler writes in (what a handler
    queues is sent on commit), so of two workers given one row only one answers it.
    """
    answered = 0
    with transaction.atomic():
        rows = list(
            EmailRequest.objects.select_for_update(skip_locked=True)
            .filter(pk__in=request_ids)
            .order_by("pk")
        )
        EmailRequest.objects.filter(pk__in=[row.pk for row in rows]).delete()
        for row in rows:
            handler = _handlers.get(row.kind)
            if handler is None:  # a kind whose app was removed: nothing to answer with
                continue
            handler(email=row.email, case_id=row.case_id, language=row.language)
            answered += 1
    return answered
