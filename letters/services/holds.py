"""Letters under an organizer's hold (campaigns.holds): how many wait, letting them go when
the hold ends, and dropping those a closed case held.

A hold itself writes nothing here: the dispatch, the claims, digests and bundles read it
(letters.models.held). Ending one is where the work is. Rows handed out before the hold
carry a stamp that says a task is on its way (the worker refused them), and rows that
had reserved a sending slot may have seen it pass while they waited; releasing clears
both, so the rows are handed out at once and take fresh slots at claim time, in the order
they were queued. The slots they gave up are handed back to the official's pace when
that is safe, so the wait does not grow by the length of the hold.
"""

import datetime
import logging

from django.db import transaction
from django.db.models import Case, F, Max, Q, QuerySet, When
from django.utils import timezone

from ..models import Delivery, DeliveryPolicy
from .queueing import request_dispatch

logger = logging.getLogger(__name__)

Status = Delivery.Status


def waiting(*, action_id: int | None = None, target_id: int | None = None) -> QuerySet[Delivery]:
    """The queued letters of a case, or to an official, or both: what a hold there stops."""
    rows = Delivery.objects.filter(status=Status.QUEUED)
    if action_id is not None:
        rows = rows.filter(letter__case_id=action_id)
    if target_id is not None:
        rows = rows.filter(target_id=target_id)
    return rows


def release_held(*, action_id: int | None = None, target_id: int | None = None) -> int:
    """Let go the queued letters of a case or to an official whose hold has ended (in the
    caller's transaction); returns how many rows were touched.

    Each row loses its hand-out stamp and any pace slot it held, and a row that had one
    waits from when it was queued again, so the dispatch (requested on commit) hands them
    out in queue order and the claim reserves fresh slots under the normal pace. Rows that
    another hold still stops stay where they are: the outboxes judge.
    """
    rows = waiting(action_id=action_id, target_id=target_id).filter(
        Q(has_pace_slot=True) | Q(enqueued_at__isnull=False)
    )
    paced_targets = set(rows.filter(has_pace_slot=True).values_list("target_id", flat=True))
    released = rows.update(
        next_attempt_at=Case(
            When(has_pace_slot=True, then=F("queued_at")), default=F("next_attempt_at")
        ),
        has_pace_slot=False,
        enqueued_at=None,
    )
    _give_back_slots(target_ids=paced_targets, now=timezone.now())
    transaction.on_commit(request_dispatch, robust=True)
    logger.info("Released %d held deliveries (case %s, target %s)", released, action_id, target_id)
    return released


def _give_back_slots(*, target_ids: set[int], now: datetime.datetime) -> None:
    """Move each official's next free slot back to just after the slots still taken.

    The released rows held slots of their own; left as they are, the pace would start the
    rows again after all of them. Only when nothing to the official is being sent: a
    batch in flight may hold a slot it has not written down yet, and never giving a slot
    twice matters more than the wait.
    """
    for target_id in sorted(target_ids):
        with transaction.atomic():
            policy = (
                DeliveryPolicy.objects.select_for_update()
                .filter(target_id=target_id, mode=DeliveryPolicy.Mode.INDIVIDUAL)
                .first()
            )
            if policy is None or policy.next_slot_at is None or policy.next_slot_at <= now:
                continue
            rows = Delivery.objects.filter(target_id=target_id)
            if rows.filter(status=Status.SENDING).exists():
                continue
            last = rows.aggregate(
                slot=Max("next_attempt_at", filter=Q(status=Status.QUEUED, has_pace_slot=True)),
                sent=Max("sent_at"),
            )
            interval = datetime.timedelta(seconds=3600 / policy.max_per_hour)
            taken = [moment + interval for moment in (last["slot"], last["sent"]) if moment]
            frontier = max([now, *taken])
            if frontier < policy.next_slot_at:
                DeliveryPolicy.objects.filter(pk=policy.pk).update(next_slot_at=frontier)


def drop_held(*, action_id: int) -> int:
    """Cancel a case's queued letters for good (campaigns.drop_held); returns how many.

    The same cancellation as an erasure's: the writer is told nothing, and their data
    shows the delivery cancelled.
    """
    return waiting(action_id=action_id).update(
        status=Status.CANCELLED,
        cancelled_at=timezone.now(),
        lease_expires_at=None,
        error="Dropped by an organizer: the case closed before it was sent.",
    )


class HeldLetters:
    """letters' side of campaigns.holds, registered in LettersConfig.ready."""

    def count(self, *, action_id: int | None = None, target_id: int | None = None) -> int:
        # Letters an organizer invalidated wait for no resume (letters.services.invalidation).
        return (
            waiting(action_id=action_id, target_id=target_id)
            .filter(letter__invalidation__isnull=True)
            .count()
        )

    def release(self, *, action_id: int | None = None, target_id: int | None = None) -> int:
        return release_held(action_id=action_id, target_id=target_id)

    def drop(self, *, action_id: int) -> int:
        return drop_held(action_id=action_id)
