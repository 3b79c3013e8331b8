"""Every write on letters with side effects, by what it does.

How a letter travels: composing writes the pending letters and sends the link that
confirms them; queue_letter (queueing) confirms a letter and writes its outbox rows, one
per official the writer had not written to on the case yet, then asks for a dispatch; the dispatch (at most one a second, so a burst of confirmations is
gathered) hands the due rows to workers a batch to a deliver_many task; the worker claims
its rows with a conditional UPDATE and a lease, keeps each target's pace, sends outside
any transaction and records the result (sending); the sweeper hands back rows whose lease
ran out and enqueues rows whose wait is over or whose task was lost; tracking webhooks
move sent rows on to delivered, bounced or failed (tracking). Officials who take a daily
digest or a printed bundle get theirs from digests and bundles. An organizer's hold
(campaigns.holds) stops all of it; holds counts, releases and drops the rows it stopped.
An organizer's invalidation of a source stops the letters it marks the same way
(invalidation).
"""

from . import bundles, composing, digests, holds, invalidation, sending, tracking
from .pacing import ensure_policy
from .queueing import (
    DELIVERY_OUTBOX,
    DISPATCH,
    dispatch_deliveries,
    queue_letter,
    queue_letters,
    request_dispatch,
    sweep_deliveries,
    tell_supporter_of_failure,
)
from .sending import (
    MAX_ATTEMPTS,
    Outcome,
    deliver,
    deliver_many,
    fail_delivery,
    lease_duration,
)
from .tracking import record_delivery_event

__all__ = [
    "DELIVERY_OUTBOX",
    "DISPATCH",
    "MAX_ATTEMPTS",
    "Outcome",
    "bundles",
    "composing",
    "deliver",
    "deliver_many",
    "digests",
    "dispatch_deliveries",
    "holds",
    "invalidation",
    "ensure_policy",
    "fail_delivery",
    "lease_duration",
    "queue_letter",
    "queue_letters",
    "record_delivery_event",
    "request_dispatch",
    "sending",
    "sweep_deliveries",
    "tell_supporter_of_failure",
    "tracking",
]
