"""An organizer's invalidation of a source, on letters' side: the letters it matches are
marked, their deliveries not yet sent stop, and reversing it lets exactly those go
(campaigns.models.sources; actions.services.sources composes it with petitions').

Stopping works as a hold does (campaigns.holds): nothing is written to the deliveries;
every outbox and claim reads held(), which leaves out the deliveries of an invalidated
letter, so a marked letter's queued, paced, digest and bundle deliveries are never handed
out, and a worker's batch already under way drops them when it next looks. A delivery
already sent (or sending at that instant) is not called back: the letter is only marked,
and no longer counts among the letters delivered (actions.impact).
"""

import dataclasses
import logging

from django.db import transaction

from campaigns.models import Invalidation

from ..models import Delivery, Letter
from .queueing import request_dispatch

logger = logging.getLogger(__name__)

# A delivery in one of these has left for the official. One a worker is sending at the
# very instant of the invalidation (sending) may still go, or be dropped by its batch.
WENT_OUT = (Delivery.Status.SENT, Delivery.Status.DELIVERED, Delivery.Status.BOUNCED)


@dataclasses.dataclass(frozen=True)
class Changed:
    """Letters a call changed, and how many of the invalidation's letters had already
    gone out to an official (only marked: nothing calls an email back)."""

    letters: int
    went_out: int


def invalidate_letters(*, invalidation: Invalidation) -> Changed:
    """Mark the letters of the invalidation's case, source and time range: their
    deliveries not yet sent stop at once. Acts only on letters neither invalidated nor
    cancelled, so a second call changes nothing."""
    with transaction.atomic():
        marked = (
            Letter.objects.filter(
                invalidation.matches(case="case_id", at="created_at"), invalidation__isnull=True
            )
            .exclude(status=Letter.Status.CANCELLED)
            .update(invalidation=invalidation)
        )
        went_out = (
            Letter.objects.filter(invalidation=invalidation, deliveries__status__in=WENT_OUT)
            .distinct()
            .count()
        )
    logger.info(
        "Invalidation #%s: %d letters marked (%d had gone out)",
        invalidation.pk,
        marked,
        went_out,
    )
    return Changed(letters=marked, went_out=went_out)


def restore_letters(*, invalidation: Invalidation) -> int:
    """Take the invalidation off the letters it marked: their deliveries still queued are
    handed out again at once (a dispatch is requested on commit), under the usual pace and
    any hold. Acts only on letters that still point to it, so a second call changes
    nothing; returns how many letters."""
    with transaction.atomic():
        # Rows handed out before the invalidation were refused by their workers: the
        # hand-out stamp goes, so the dispatch hands them out anew.
        Delivery.objects.filter(
            letter__invalidation=invalidation,
            status=Delivery.Status.QUEUED,
            enqueued_at__isnull=False,
        ).update(enqueued_at=None)
        restored = Letter.objects.filter(invalidation=invalidation).update(invalidation=None)
        if restored:
            transaction.on_commit(request_dispatch, robust=True)
    logger.info("Invalidation #%s reversed: %d letters restored", invalidation.pk, restored)
    return restored
