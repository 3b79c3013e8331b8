"""Queueing confirmed letters, dispatching their outbox rows to workers, sweeping lost
ones, and telling a supporter when their letter could not be delivered."""

import datetime
import logging

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


def queue_letter(*, letter: Letter) -> list[Delivery]:
    """Confirm a letter and write one queued Delivery per chosen target, in one transaction.

    Acts only from pending_confirmation: a second call changes nothing, enqueues nothing
    and returns the existing deliveries. On commit, requests a dispatch (request_dispatch)
    when a target takes individual emails; digests and printed bundles collect the rest.
    """
    now = timezone.now()
    # No savepoint of its own (two round trips a letter): its callers confirm letters all
    # or nothing, and an error here fails their transaction too.
    with transaction.atomic(savepoint=False):
        confirmed = Letter.objects.filter(
            pk=letter.pk, status=Letter.Status.PENDING_CONFIRMATION
        ).update(status=Letter.Status.CONFIRMED, confirmed_at=now)
        if not confirmed:
            return list(letter.deliveries.all())
        # Ids and modes only: this runs once per confirmed letter, in the web request.
        modes = dict(
            Letter.targets.through.objects.filter(letter=letter)
            .order_by("target_id")
            .values_list("target_id", "target__delivery_policy__mode")
        )
        # Every target gets its policy now: the dispatch and the sweeper go by its mode.
        new = [target_id for target_id, mode in modes.items() if mode is None]
        for target in Target.objects.filter(pk__in=new) if new else ():
            modes[target.pk] = ensure_policy(target=target).mode
        deliveries = Delivery.objects.bulk_create(
            # enqueued_at stays empty: no task is on its way until the dispatch sends one.
            Delivery(
                letter=letter,
                target_id=target_id,
                priority=letter.priority,
                queued_at=now,
                next_attempt_at=now,
            )
            for target_id in modes
        )
        if DeliveryPolicy.Mode.INDIVIDUAL in modes.values():
            # robust: the letter is written whatever the broker or cache says; if no
            # dispatch could be requested, the sweeper's next run finds the rows.
            transaction.on_commit(request_dispatch, robust=True)
    letter.status, letter.confirmed_at = Letter.Status.CONFIRMED, now
    logger.info("Letter %s queued for %d targets", letter.pk, len(deliveries))
    return deliveries


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
