"""Every write on letters with side effects: queueing, delivering, sweeping, tracking.

How a letter travels: queue_letter writes the outbox rows and enqueues one deliver task
per row on commit; deliver claims its row with a conditional UPDATE and a lease, keeps
the target's pace, sends outside any transaction and records the result; the sweeper
hands back rows whose lease ran out and enqueues rows whose wait is over; tracking
webhooks move sent rows on to delivered, bounced or failed.
"""

import collections
import datetime
import logging
import random
from enum import StrEnum

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from campaigns.models import Target

from .errors import SendErrorKind, sort_send_error
from .messages import build_letter_message, drop_esp_connection, esp_connection, message_id_for
from .models import (
    Delivery,
    DeliveryPolicy,
    Letter,
    fill_placeholders,
    placeholder_values,
)
from .tracking import record_delivery_event

__all__ = [
    "deliver",
    "deliver_many",
    "ensure_policy",
    "queue_letter",
    "record_delivery_event",
    "sweep_deliveries",
    "tell_supporter_of_failure",
]

logger = logging.getLogger(__name__)

Status = Delivery.Status
MAX_ATTEMPTS = 10
BACKOFF_BASE_SECONDS = 60
BACKOFF_CAP_SECONDS = 3600
# Waits up to this long ride on a Celery countdown; longer ones are left to the sweeper,
# because the broker hands an unacknowledged task to another worker after its visibility
# timeout, and an ETA task sits unacknowledged in a worker until it runs.
MAX_COUNTDOWN_SECONDS = 300
SWEEP_BATCH = 5000
# The sweeper hands due rows to workers this many to a task (deliver_many), which spares
# the per-task cost of the broker and Celery; a batch sends for at most BATCH_SECONDS.
DELIVER_BATCH = 20
BATCH_SECONDS = 60


class Outcome(StrEnum):
    SENT = "sent"
    UNCERTAIN = "uncertain"
    RETRY = "retry"
    PACED = "paced"
    FAILED = "failed"
    HELD = "held"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"


def _lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.PLUMA_DELIVERY_LEASE_SECONDS)


def ensure_policy(*, target: Target) -> DeliveryPolicy:
    """The target's delivery policy, created with the defaults on first use."""
    mode = DeliveryPolicy.Mode.INDIVIDUAL if target.email else DeliveryPolicy.Mode.PRINTED_BUNDLE
    policy, _ = DeliveryPolicy.objects.get_or_create(target=target, defaults={"mode": mode})
    return policy


def queue_letter(*, letter: Letter) -> list[Delivery]:
    """Confirm a letter and write one queued Delivery per chosen target, in one transaction.

    Acts only from pending_confirmation: a second call changes nothing, enqueues nothing
    and returns the existing deliveries. Enqueues letters.tasks.deliver on commit for the
    targets that take individual emails; digests and printed bundles collect the rest.
    """
    from . import tasks

    now = timezone.now()
    with transaction.atomic():
        confirmed = Letter.objects.filter(
            pk=letter.pk, status=Letter.Status.PENDING_CONFIRMATION
        ).update(status=Letter.Status.CONFIRMED, confirmed_at=now)
        if not confirmed:
            return list(letter.deliveries.all())
        targets = list(letter.targets.all())
        modes = {target.pk: ensure_policy(target=target).mode for target in targets}
        deliveries = Delivery.objects.bulk_create(
            Delivery(
                letter=letter,
                target=target,
                priority=letter.priority,
                queued_at=now,
                next_attempt_at=now,
                enqueued_at=now,
            )
            for target in targets
        )
        for delivery in deliveries:
            if modes[delivery.target_id] == DeliveryPolicy.Mode.INDIVIDUAL:
                tasks.deliver.delay_on_commit(delivery.pk)
    letter.status, letter.confirmed_at = Letter.Status.CONFIRMED, now
    logger.info("Letter %s queued for %d targets", letter.pk, len(deliveries))
    return deliveries


def _reserve_slot(*, policy_id: int, now: datetime.datetime) -> datetime.datetime:
    """The start of the target's next free sending slot, reserved for the caller.

    Slots are 1/max_per_hour of an hour apart, so a target gets at most N letters an
    hour, evenly spread; the row lock makes concurrent workers take distinct slots.
    """
    if connection.vendor == "postgresql":
        # One statement instead of a locking transaction: the same row lock, taken and
        # released by the UPDATE, in one round trip instead of four (bench/deliver.py).
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE letters_deliverypolicy"
                " SET next_slot_at = GREATEST(COALESCE(next_slot_at, %s), %s)"
                " + make_interval(secs => 3600.0 / max_per_hour)"
                " WHERE id = %s"
                " RETURNING next_slot_at - make_interval(secs => 3600.0 / max_per_hour)",
                [now, now, policy_id],
            )
            return cursor.fetchone()[0]
    with transaction.atomic():
        policy = DeliveryPolicy.objects.select_for_update().get(pk=policy_id)
        slot = max(policy.next_slot_at or now, now)
        interval = datetime.timedelta(seconds=3600 / policy.max_per_hour)
        DeliveryPolicy.objects.filter(pk=policy_id).update(next_slot_at=slot + interval)
    return slot


def _hand_back(
    *, delivery_id: int, until: datetime.datetime, has_pace_slot: bool, **fields
) -> None:
    """Return a claimed row to the queue until ``until``; a short wait rides on a countdown."""
    from . import tasks

    wait = (until - timezone.now()).total_seconds()
    use_countdown = wait <= MAX_COUNTDOWN_SECONDS
    Delivery.objects.filter(pk=delivery_id, status=Status.SENDING).update(
        status=Status.QUEUED,
        next_attempt_at=until,
        lease_expires_at=None,
        has_pace_slot=has_pace_slot,
        **({"enqueued_at": until} if use_countdown else {}),
        **fields,
    )
    if use_countdown:
        tasks.deliver.apply_async((delivery_id,), countdown=max(wait, 0))


def _fail(*, delivery_id: int, code: str, error: str, from_statuses=(Status.SENDING,)) -> bool:
    """Mark a delivery failed for good and tell the supporter (on commit)."""
    from . import tasks

    failed = Delivery.objects.filter(pk=delivery_id, status__in=from_statuses).update(
        status=Status.FAILED,
        failed_at=timezone.now(),
        error_code=code,
        error=error[:2000],
        lease_expires_at=None,
        attempts=F("attempts") + 1,
    )
    if failed:
        logger.warning("Delivery %s failed: %s", delivery_id, code)
        tasks.tell_supporter_of_failure.delay_on_commit(delivery_id)
    return bool(failed)


def deliver(*, delivery_id: int) -> Outcome:
    """Send one queued delivery whose time has come; any other row is left alone.

    Claims the row (queued → sending, with a lease) in one conditional UPDATE, keeps the
    target's pace, sends outside any transaction and records the ESP's message id.
    Transient errors hand the row back with exponential backoff; permanent ones fail it
    and tell the supporter; a timeout after the ESP may have accepted the letter records
    it as sent and uncertain, because a duplicate letter is worse than a doubt.
    """
    claimed = _claim(delivery_ids=[delivery_id], now=timezone.now())
    return _deliver_claimed(delivery=claimed[0]) if claimed else Outcome.SKIPPED


def deliver_many(*, delivery_ids: list[int]) -> dict[str, int]:
    """deliver() for a few rows in one go: one claim and one read for all, then each in
    turn. Returns how many rows had each outcome.

    The rows share one lease, so a send starts only in the first half of it (each send
    ends within the ESP timeout, and the settings keep the lease over twice that): the
    sweeper never hands back a row of the batch while it may still go. Rows not reached
    by then go back to the queue, enqueued afresh.
    """
    from . import tasks

    started = timezone.now()
    claimed = _claim(delivery_ids=delivery_ids, now=started)
    outcomes = collections.Counter({Outcome.SKIPPED.value: len(delivery_ids) - len(claimed)})
    budget = min(_lease() / 2, datetime.timedelta(seconds=BATCH_SECONDS))
    for number, delivery in enumerate(claimed):
        if timezone.now() - started > budget:
            rest = [row.pk for row in claimed[number:]]
            Delivery.objects.filter(pk__in=rest, status=Status.SENDING).update(
                status=Status.QUEUED, lease_expires_at=None, enqueued_at=timezone.now()
            )
            tasks.deliver_many.delay(rest)
            outcomes[Outcome.SKIPPED.value] += len(rest)
            break
        outcomes[_deliver_claimed(delivery=delivery).value] += 1
    return dict(outcomes)


def _claim(*, delivery_ids: list[int], now: datetime.datetime) -> list[Delivery]:
    """Claim the due queued rows among ``delivery_ids`` (queued → sending, with a lease)
    and read them with everything a send needs: two queries, whatever the number.

    The claim is a conditional UPDATE, so of racing workers exactly one gets each row;
    RETURNING says which rows were ours (where the database has it; elsewhere one
    conditional UPDATE per row).
    """
    if not delivery_ids:
        return []
    fields = {"status": Status.SENDING, "sending_at": now, "lease_expires_at": now + _lease()}
    due = Delivery.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now)
    if len(delivery_ids) == 1:
        ids = delivery_ids if due.filter(pk=delivery_ids[0]).update(**fields) else []
    elif connection.features.can_return_columns_from_insert:  # RETURNING (PostgreSQL, SQLite)
        adapt = connection.ops.adapt_datetimefield_value
        table = Delivery._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET status = %s, sending_at = %s, lease_expires_at = %s"  # noqa: S608 -- our table name
                f" WHERE id IN ({', '.join(['%s'] * len(delivery_ids))})"
                " AND status = %s AND next_attempt_at <= %s RETURNING id",
                [
                    Status.SENDING,
                    adapt(now),
                    adapt(fields["lease_expires_at"]),
                    *delivery_ids,
                    Status.QUEUED,
                    adapt(now),
                ],
            )
            ids = [row[0] for row in cursor.fetchall()]
    else:
        ids = [pk for pk in delivery_ids if due.filter(pk=pk).update(**fields)]
    if not ids:
        return []
    rows = Delivery.objects.select_related(
        "letter__supporter", "letter__case", "target__delivery_policy"
    ).in_bulk(ids)
    return [rows[pk] for pk in ids if pk in rows]


def _policy_of(target: Target) -> DeliveryPolicy:
    try:
        return target.delivery_policy  # read along with the delivery
    except DeliveryPolicy.DoesNotExist:
        return ensure_policy(target=target)


def _deliver_claimed(*, delivery: Delivery) -> Outcome:
    """The rest of deliver(), for a row this worker has claimed."""
    now = timezone.now()
    if delivery.letter.status != Letter.Status.CONFIRMED:
        Delivery.objects.filter(pk=delivery.pk, status=Status.SENDING).update(
            status=Status.CANCELLED, cancelled_at=now, lease_expires_at=None
        )
        return Outcome.CANCELLED
    policy = _policy_of(delivery.target)
    if policy.mode != DeliveryPolicy.Mode.INDIVIDUAL:
        # The digest or the printed bundle collects it; the sweeper skips such rows.
        Delivery.objects.filter(pk=delivery.pk, status=Status.SENDING).update(
            status=Status.QUEUED, lease_expires_at=None
        )
        return Outcome.HELD
    if not delivery.target.email:
        _fail(delivery_id=delivery.pk, code=Delivery.ErrorCode.NO_EMAIL, error="No email address")
        return Outcome.FAILED
    if not delivery.has_pace_slot:
        slot = _reserve_slot(policy_id=policy.pk, now=now)
        if slot > now:
            _hand_back(delivery_id=delivery.pk, until=slot, has_pace_slot=True)
            return Outcome.PACED

    try:
        # The thread's kept-open ESP connection: no new HTTP session per letter.
        message = build_letter_message(delivery=delivery, connection=esp_connection())
        message.send()
    except Exception as exc:  # noqa: BLE001 -- every error is sorted, none may lose the row
        drop_esp_connection()  # the next letter starts on a fresh connection
        return _record_send_error(delivery=delivery, exc=exc)
    return _record_sent(delivery=delivery, esp_id=_esp_message_id(message))


def _esp_message_id(message: EmailMessage) -> str:
    status = getattr(message, "anymail_status", None)
    message_id = getattr(status, "message_id", None)
    if isinstance(message_id, set):
        return ",".join(sorted(str(m) for m in message_id if m))
    return str(message_id or "")


def _record_sent(*, delivery: Delivery, esp_id: str, error: str = "") -> Outcome:
    """Mark the delivery sent: from sending, or from queued if the sweeper took the row
    back while the ESP was slow (it went, so it must not go again)."""
    now = timezone.now()
    recorded = Delivery.objects.filter(
        pk=delivery.pk, status__in=[Status.SENDING, Status.QUEUED]
    ).update(
        status=Status.SENT,
        sent_at=now,
        esp_message_id=esp_id,
        message_id=message_id_for(delivery),
        lease_expires_at=None,
        has_pace_slot=False,
        attempts=F("attempts") + 1,
        is_uncertain=bool(error),
        error=error[:2000],
        error_code="",
    )
    if not recorded:
        # A tracking webhook moved it on first; keep the ids it could not know.
        Delivery.objects.filter(pk=delivery.pk, esp_message_id="").update(
            esp_message_id=esp_id, message_id=message_id_for(delivery), sent_at=now
        )
        logger.info("Delivery %s was already past sending when recorded", delivery.pk)
    if error:
        logger.warning("Delivery %s may or may not have been sent: %s", delivery.pk, error)
        return Outcome.UNCERTAIN
    return Outcome.SENT


def _record_send_error(*, delivery: Delivery, exc: Exception) -> Outcome:
    kind, code, text = sort_send_error(exc)
    if kind == SendErrorKind.UNCERTAIN:
        return _record_sent(delivery=delivery, esp_id="", error=text)
    attempts = delivery.attempts + 1
    if kind == SendErrorKind.PERMANENT or attempts >= MAX_ATTEMPTS:
        code = code if kind == SendErrorKind.PERMANENT else Delivery.ErrorCode.GAVE_UP
        _fail(delivery_id=delivery.pk, code=code, error=text)
        return Outcome.FAILED
    backoff = min(BACKOFF_BASE_SECONDS * 2 ** (attempts - 1), BACKOFF_CAP_SECONDS)
    # Jitter, so letters that failed together do not all come back together.
    delay = backoff * random.uniform(0.8, 1.2)  # noqa: S311
    logger.info("Delivery %s: transient error, retry in %ds: %s", delivery.pk, delay, text)
    _hand_back(
        delivery_id=delivery.pk,
        until=timezone.now() + datetime.timedelta(seconds=delay),
        has_pace_slot=False,
        attempts=F("attempts") + 1,
        error=text[:2000],
    )
    return Outcome.RETRY


def sweep_deliveries(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Hand back rows whose lease expired and enqueue queued rows whose time has come.

    This is how a lost broker message, a killed worker or a wait longer than the broker's
    visibility timeout still ends in a send. Idempotent: a row whose task is on its way
    (enqueued since its wait began, within one lease) is not enqueued again.
    """
    from . import tasks

    now = now or timezone.now()
    expired = Delivery.objects.filter(status=Status.SENDING, lease_expires_at__lt=now)
    gave_up = 0
    for delivery_id in expired.filter(attempts__gte=MAX_ATTEMPTS - 1).values_list("pk", flat=True):
        gave_up += _fail(
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
    stale = now - _lease()
    due_ids = list(
        Delivery.objects.filter(
            status=Status.QUEUED,
            next_attempt_at__lte=now,
            target__delivery_policy__mode=DeliveryPolicy.Mode.INDIVIDUAL,
        )
        .filter(
            Q(enqueued_at__isnull=True)
            | Q(enqueued_at__lt=F("next_attempt_at"))
            | Q(enqueued_at__lte=stale)
        )
        .order_by("-priority", "next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for start in range(0, len(due_ids), 500):
        Delivery.objects.filter(pk__in=due_ids[start : start + 500]).update(enqueued_at=now)
    for start in range(0, len(due_ids), DELIVER_BATCH):
        tasks.deliver_many.delay(due_ids[start : start + DELIVER_BATCH])
    if requeued or due_ids or gave_up:
        logger.info(
            "Sweep: %d leases expired, %d enqueued, %d gave up", requeued, len(due_ids), gave_up
        )
    return {"requeued": requeued, "enqueued": len(due_ids), "failed": gave_up}


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
    values = placeholder_values(target=delivery.target, supporter=supporter, case=letter.case)
    code = delivery.error_code or (
        Delivery.ErrorCode.BOUNCED
        if delivery.status == Status.BOUNCED
        else Delivery.ErrorCode.BAD_REQUEST
    )
    with translation.override(supporter.language):
        context = {
            "supporter": supporter,
            "target": delivery.target,
            "case": letter.case,
            "reason": Delivery.ErrorCode(code).label,
            "subject": fill_placeholders(letter.subject, values),
            "body": fill_placeholders(letter.body, values),
        }
        subject = render_to_string("letters/email/delivery_failed_subject.txt", context)
        body = render_to_string("letters/email/delivery_failed.txt", context)
    try:
        EmailMessage(subject=" ".join(subject.split()), body=body, to=[supporter.email]).send()
    except Exception:
        Delivery.objects.filter(pk=delivery_id).update(supporter_notified_at=None)
        raise
    return True
