"""Queueing confirmed letters, dispatching their outbox rows to workers, sweeping lost
ones, and telling a supporter when their letter could not be delivered."""

import datetime
import logging
from collections.abc import Iterable, Mapping, Sequence

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from campaigns.dispatch import Dispatch
from campaigns.mail import send_template
from campaigns.models import Target
from campaigns.outbox import Outbox

from ..models import (
    Delivery,
    DeliveryPolicy,
    Letter,
    LetterToOfficial,
    fill_placeholders,
    held,
    placeholder_values,
)
from .pacing import ensure_policy
from .sending import (
    DELIVER_BATCH,
    MAX_ATTEMPTS,
    fail_delivery,
    lease_duration,
)

logger = logging.getLogger(__name__)

Status = Delivery.Status
# At most this many rows are enqueued by one dispatch or sweep.
SWEEP_BATCH = 5000
# A confirmed letter asks for a dispatch, which runs a second later and gathers every row
# confirmed meanwhile: one a second however many letters are confirmed (campaigns.dispatch).
DISPATCH = Dispatch("letters.tasks.dispatch_deliveries")


def queue_letter(*, letter: Letter, once_per_official: bool = True) -> list[Delivery]:
    """Confirm one letter and write its outbox rows: queue_letters for one letter."""
    return queue_letters(letters=[letter], once_per_official=once_per_official)


def queue_letters(*, letters: Sequence[Letter], once_per_official: bool = True) -> list[Delivery]:
    """Confirm letters and write one queued Delivery per chosen target, in one transaction.

    Acts only from pending_confirmation: a letter confirmed before changes nothing,
    enqueues nothing and gives its existing deliveries. Each official receives one
    letter per supporter and case (LetterToOfficial): a target the supporter had already
    written to on the case gets no second delivery, and a letter left with none is
    cancelled rather than confirmed. ``once_per_official=False`` is for a follow-up to
    the same official (replies.services.questionnaire). Each letter this call handled
    has its status set (confirmed or cancelled); the others keep theirs. On commit,
    requests a dispatch (request_dispatch) when a target takes individual emails;
    digests and printed bundles collect the rest.
    """
    now = timezone.now()
    deliveries: list[Delivery] = []
    # No savepoint of its own (a round trip each): its callers confirm letters all or
    # nothing, and an error here fails their transaction too.
    with transaction.atomic(savepoint=False):
        pending = []
        for letter in sorted(letters, key=lambda letter: letter.pk):
            # Of two concurrent clicks, one confirms; the other waits here, then finds
            # the letter confirmed and writes nothing.
            if Letter.objects.filter(
                pk=letter.pk, status=Letter.Status.PENDING_CONFIRMATION
            ).update(status=Letter.Status.CONFIRMED, confirmed_at=now):
                pending.append(letter)
            else:
                deliveries += letter.deliveries.all()
        if not pending:
            return deliveries
        chosen = _target_modes(pending)
        modes = chosen
        if once_per_official:
            first = claim_officials(letters=pending, modes=chosen, now=now)
            modes = {
                letter_id: {t: mode for t, mode in targets.items() if (letter_id, t) in first}
                for letter_id, targets in chosen.items()
            }
        written = []
        for letter in pending:
            if chosen[letter.pk] and not modes[letter.pk]:
                # Every official had this supporter's letter on the case already.
                Letter.objects.filter(pk=letter.pk).update(
                    status=Letter.Status.CANCELLED, confirmed_at=None, cancelled_at=now
                )
                letter.status, letter.confirmed_at = Letter.Status.CANCELLED, None
                letter.cancelled_at = now
                logger.info(
                    "Letter %s cancelled: its officials had this writer's letter", letter.pk
                )
                continue
            # enqueued_at stays empty: no task is on its way until the dispatch sends one.
            written += [
                Delivery(
                    letter=letter,
                    target_id=target_id,
                    priority=letter.priority,
                    queued_at=now,
                    next_attempt_at=now,
                )
                for target_id in modes[letter.pk]
            ]
            letter.status, letter.confirmed_at = Letter.Status.CONFIRMED, now
            logger.info("Letter %s queued for %d targets", letter.pk, len(modes[letter.pk]))
        deliveries += Delivery.objects.bulk_create(written)
        if any(DeliveryPolicy.Mode.INDIVIDUAL in targets.values() for targets in modes.values()):
            # robust: the letter is written whatever the broker or cache says; if no
            # dispatch could be requested, the sweeper's next run finds the rows.
            transaction.on_commit(request_dispatch, robust=True)
    return deliveries


def _target_modes(letters: Sequence[Letter]) -> dict[int, dict[int, str]]:
    """Each letter's targets (by id, in order) and how each takes its letters; a target
    without a policy gets one now: the dispatch and the sweeper go by its mode."""
    # Ids and modes only: this runs for every confirmation, in the web request.
    modes: dict[int, dict[int, str]] = {letter.pk: {} for letter in letters}
    rows = (
        Letter.targets.through.objects.filter(letter__in=[letter.pk for letter in letters])
        .order_by("letter_id", "target_id")
        .values_list("letter_id", "target_id", "target__delivery_policy__mode")
    )
    new: set[int] = set()
    for letter_id, target_id, mode in rows:
        modes[letter_id][target_id] = mode
        if mode is None:
            new.add(target_id)
    if new:
        policies = {
            target.pk: ensure_policy(target=target).mode
            for target in Target.objects.filter(pk__in=new)
        }
        for targets in modes.values():
            for target_id in targets.keys() & new:
                targets[target_id] = policies[target_id]
    return modes


def claim_officials(
    *, letters: Sequence[Letter], modes: Mapping[int, Iterable[int]], now: datetime.datetime
) -> set[tuple[int, int]]:
    """Record each letter as its writer's one letter to each of its targets on the case,
    where they had none; returns the (letter id, target id) pairs recorded.

    One INSERT … ON CONFLICT DO NOTHING, in (case, supporter, target) order: a concurrent
    confirmation for the same official waits for this one's transaction and then finds
    the official taken, and two of them never wait for each other in a circle.
    """
    rows = sorted(
        (
            LetterToOfficial(
                case_id=letter.case_id,
                supporter_id=letter.supporter_id,
                target_id=target_id,
                letter_id=letter.pk,
                created_at=now,
            )
            for letter in letters
            for target_id in modes[letter.pk]
        ),
        key=lambda row: (row.case_id, row.supporter_id, row.target_id),
    )
    LetterToOfficial.objects.bulk_create(rows, ignore_conflicts=True)
    return set(
        LetterToOfficial.objects.filter(letter__in=[letter.pk for letter in letters]).values_list(
            "letter_id", "target_id"
        )
    )


def request_dispatch() -> None:
    """Make sure dispatch_deliveries runs about a second from now (campaigns.dispatch)."""
    DISPATCH.request()


# Queued rows to send one email each, own words first. A row has a task on its way if one
# was handed out since its wait began, less than a lease ago; older ones count as lost. A
# row whose case or official is held (campaigns.holds) is not due.
DELIVERY_OUTBOX = Outbox(
    model=Delivery,
    due=lambda now: (
        Q(
            status=Status.QUEUED,
            next_attempt_at__lte=now,
            target__delivery_policy__mode=DeliveryPolicy.Mode.INDIVIDUAL,
        )
        & ~held()
    ),
    handed_out="enqueued_at",
    lease=lease_duration,
    stale=Q(enqueued_at__lt=F("next_attempt_at")),
    task_name="letters.tasks.deliver_many",
    batch=DELIVER_BATCH,
    order_by=("-priority", "next_attempt_at", "pk"),
    limit=SWEEP_BATCH,
)


def dispatch_deliveries(*, now: datetime.datetime | None = None) -> int:
    """Hand the queued individual rows that are due and have no task on its way to
    workers, DELIVER_BATCH ids to a deliver_many task, own words first; returns how many.

    Idempotent: each row is stamped as it is handed out, so a second run finds nothing
    new (and a row that two runs both hand out is still claimed, and sent, once).
    """
    return DELIVERY_OUTBOX.hand_out(now=now)


def sweep_deliveries(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Hand back rows whose lease expired and enqueue queued rows whose time has come.

    This is how a lost broker message, a killed worker, a lost dispatch or a wait longer
    than the broker's visibility timeout still ends in a send. Idempotent: a row whose
    task is on its way (enqueued since its wait began, within one lease) is not enqueued
    again.
    """
    now = now or timezone.now()
    expired = Delivery.objects.filter(status=Status.SENDING, lease_expires_at__lt=now)
    gave_up = 0
    for delivery_id in expired.filter(attempts__gte=MAX_ATTEMPTS - 1).values_list("pk", flat=True):
        gave_up += fail_delivery(
            delivery_id=delivery_id,
            code=Delivery.ErrorCode.GAVE_UP,
            error="Lease expired too many times",
        )
    requeued = expired.update(
        status=Status.QUEUED,
        next_attempt_at=now,
        lease_expires_at=None,
        enqueued_at=None,
        attempts=F("attempts") + 1,
    )
    enqueued = dispatch_deliveries(now=now)
    if requeued or enqueued or gave_up:
        logger.info(
            "Sweep: %d leases expired, %d enqueued, %d gave up", requeued, enqueued, gave_up
        )
    return {"requeued": requeued, "enqueued": enqueued, "failed": gave_up}


def tell_supporter_of_failure(*, delivery_id: int) -> bool:
    """Email the supporter a copy of a letter that could not be delivered, and why.

    At most once per delivery; returns whether an email went. If sending raises, the
    mark is taken back so the task's retry can try again.
    """
    claimed = Delivery.objects.filter(
        pk=delivery_id,
        status__in=[Status.FAILED, Status.BOUNCED],
        supporter_notified_at__isnull=True,
        letter__supporter__erased_at__isnull=True,
    ).update(supporter_notified_at=timezone.now())
    if not claimed:
        return False
    delivery = Delivery.objects.select_related("letter__supporter", "letter__case", "target").get(
        pk=delivery_id
    )
    letter, supporter = delivery.letter, delivery.letter.supporter
    values = placeholder_values(target=delivery.target, writer=letter, case=letter.case)
    code = delivery.error_code or (
        Delivery.ErrorCode.BOUNCED
        if delivery.status == Status.BOUNCED
        else Delivery.ErrorCode.BAD_REQUEST
    )
    try:
        send_template(
            template="letters/email/delivery_failed",
            to=supporter.email,
            language=supporter.language,
            context={
                "supporter": supporter,
                "target": delivery.target,
                "case": letter.case,
                "reason": Delivery.ErrorCode(code).label,
                "subject": fill_placeholders(letter.subject, values),
                "body": fill_placeholders(letter.body, values),
            },
        )
    except Exception:
        Delivery.objects.filter(pk=delivery_id).update(supporter_notified_at=None)
        raise
    return True
