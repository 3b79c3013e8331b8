"""Sending one email per letter: claim the outbox rows, keep each target's pace, send
outside any transaction and record what the ESP said.

deliver_many is the worker's path (the dispatcher and the sweeper enqueue rows a batch to
a task); deliver is the same for one row (a countdown after a short wait). Both act only
on rows that are queued and due, so a row enqueued twice is still sent once.
"""

import collections
import contextlib
import datetime
import logging
import random
from collections.abc import Collection
from enum import StrEnum
from typing import TypedDict

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import F
from django.db.models.expressions import Combinable, CombinedExpression
from django.utils import timezone

from campaigns import events
from campaigns.outbox import claim

from .. import enqueue
from ..errors import SendErrorKind, sort_send_error
from ..messages import build_letter_message, drop_esp_connection, esp_connection, message_id_for
from ..models import Delivery, DeliveryPolicy, Letter, held
from .events import letter_event
from .pacing import policy_of, reserve_slots

logger = logging.getLogger(__name__)

Status = Delivery.Status
MAX_ATTEMPTS = 10
BACKOFF_BASE_SECONDS = 60
BACKOFF_CAP_SECONDS = 3600
# Waits up to this long ride on a Celery countdown; longer ones are left to the sweeper,
# because the broker hands an unacknowledged task to another worker after its visibility
# timeout, and an ETA task sits unacknowledged in a worker until it runs.
MAX_COUNTDOWN_SECONDS = 300
# Rows go to workers this many to a task (deliver_many): one claim, one read and one pace
# reservation per batch, and the broker's and Celery's cost once per batch, not per letter
# (bench/deliver.py). Each row is still recorded as soon as it is sent, so a worker killed
# mid-batch can double at most the one letter it was sending. A batch sends for at most
# BATCH_SECONDS.
DELIVER_BATCH = 20
BATCH_SECONDS = 60
# A batch that has been sending this long since it last looked asks again which of its
# rows an organizer has held meanwhile (campaigns.holds), so a hold stops a slow batch too.
HOLD_RECHECK = datetime.timedelta(seconds=1)


class Outcome(StrEnum):
    SENT = "sent"
    UNCERTAIN = "uncertain"
    RETRY = "retry"
    PACED = "paced"
    FAILED = "failed"
    HELD = "held"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"


def lease_duration() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.PLUMA_DELIVERY_LEASE_SECONDS)


def deliver(*, delivery_id: int) -> Outcome:
    """Send one queued delivery whose time has come; any other row is left alone.

    Claims the row (queued → sending, with a lease) in one conditional UPDATE, keeps the
    target's pace, sends outside any transaction and records the ESP's message id.
    Transient errors hand the row back with exponential backoff; permanent ones fail it
    and tell the supporter; a timeout after the ESP may have accepted the letter records
    it as sent and uncertain, because a duplicate letter is worse than a doubt.
    """
    claimed = _claim(delivery_ids=[delivery_id], now=timezone.now())
    if not claimed:
        return Outcome.SKIPPED
    (outcome,) = _deliver_claimed(claimed=claimed, started=timezone.now())
    return Outcome(outcome)


def deliver_many(*, delivery_ids: list[int]) -> dict[str, int]:
    """deliver() for a batch of rows: one claim, one read and one pace reservation for
    all, then each sent and recorded in turn. Returns how many rows had each outcome.

    The rows share one lease, so a send starts only in the first half of it (each send
    ends within the ESP timeout, and the settings keep the lease over twice that): the
    sweeper never hands back a row of the batch while it may still go. Rows not reached
    by then go back to the queue, enqueued afresh.
    """
    started = timezone.now()
    claimed = _claim(delivery_ids=delivery_ids, now=started)
    outcomes = _deliver_claimed(claimed=claimed, started=started)
    outcomes[Outcome.SKIPPED.value] += len(delivery_ids) - len(claimed)
    return {outcome: count for outcome, count in outcomes.items() if count}


def _claim(*, delivery_ids: list[int], now: datetime.datetime) -> list[Delivery]:
    """Claim the due queued rows among ``delivery_ids`` (queued → sending, with a lease)
    and read them, in the order given, with everything a send needs: two queries,
    whatever the number.

    The claim is a conditional UPDATE (campaigns.outbox.claim), so of racing workers
    exactly one gets each row. Its condition reads the holds (campaigns.holds): a row
    handed out just before its case or official was held is not claimed, and stays queued
    for the resume.
    """
    if not delivery_ids:
        return []
    ids = claim(
        Delivery.objects.filter(
            pk__in=delivery_ids, status=Status.QUEUED, next_attempt_at__lte=now
        ).exclude(held()),
        status=Status.SENDING,
        sending_at=now,
        lease_expires_at=now + lease_duration(),
    )
    if not ids:
        return []
    rows = Delivery.objects.select_related(
        "letter__supporter", "letter__case", "target__delivery_policy"
    ).in_bulk(ids)
    return [rows[pk] for pk in dict.fromkeys(delivery_ids) if pk in rows]


def _deliver_claimed(
    *, claimed: list[Delivery], started: datetime.datetime
) -> collections.Counter[str]:
    """The rest of deliver_many(), for rows this worker has claimed: outcome → count."""
    outcomes: collections.Counter[str] = collections.Counter()
    to_send = []
    for delivery in claimed:
        outcome = _set_aside(delivery=delivery, now=started)
        if outcome is None:
            to_send.append(delivery)
        else:
            outcomes[outcome.value] += 1
    slots = reserve_slots(
        deliveries=[d for d in to_send if not d.has_pace_slot], now=timezone.now()
    )
    budget = min(lease_duration() / 2, datetime.timedelta(seconds=BATCH_SECONDS))
    checked = started
    stopped: set[int] = set()
    for number, delivery in enumerate(to_send):
        if timezone.now() - started > budget:
            outcomes[Outcome.SKIPPED.value] += _requeue(rows=to_send[number:], slots=slots)
            break
        if timezone.now() - checked > HOLD_RECHECK:
            stopped = _held_among(to_send[number:])
            checked = timezone.now()
        slot = slots.get(delivery.pk)
        if delivery.pk in stopped:
            _put_back_held(delivery_id=delivery.pk, slot=slot)
            outcomes[Outcome.HELD.value] += 1
        elif slot is not None and slot > timezone.now():
            _hand_back(delivery_id=delivery.pk, until=slot, has_pace_slot=True)
            outcomes[Outcome.PACED.value] += 1
        else:
            outcomes[_send(delivery=delivery).value] += 1
    return outcomes


def _held_among(rows: list[Delivery]) -> set[int]:
    """The ids among ``rows`` whose case or official an organizer has held since the claim."""
    return set(
        Delivery.objects.filter(pk__in=[row.pk for row in rows])
        .filter(held())
        .values_list("pk", flat=True)
    )


def _put_back_held(*, delivery_id: int, slot: datetime.datetime | None) -> None:
    """Return a claimed row to the queue, untouched, for when its hold ends; a slot it
    reserved stays its own (the resume re-plans slots the hold let pass)."""
    Delivery.objects.filter(pk=delivery_id, status=Status.SENDING).update(
        status=Status.QUEUED,
        lease_expires_at=None,
        enqueued_at=None,
        **({"next_attempt_at": slot, "has_pace_slot": True} if slot is not None else {}),
    )


def _set_aside(*, delivery: Delivery, now: datetime.datetime) -> Outcome | None:
    """Settle a claimed row that must not be emailed (cancelled letter, digest or bundle
    target, no address) and say how; None for a row to send."""
    if delivery.letter.status != Letter.Status.CONFIRMED:
        Delivery.objects.filter(pk=delivery.pk, status=Status.SENDING).update(
            status=Status.CANCELLED, cancelled_at=now, lease_expires_at=None
        )
        return Outcome.CANCELLED
    if policy_of(delivery.target).mode != DeliveryPolicy.Mode.INDIVIDUAL:
        # The digest or the printed bundle collects it; the sweeper skips such rows.
        Delivery.objects.filter(pk=delivery.pk, status=Status.SENDING).update(
            status=Status.QUEUED, lease_expires_at=None
        )
        return Outcome.HELD
    if not delivery.target.email:
        fail_delivery(
            delivery_id=delivery.pk, code=Delivery.ErrorCode.NO_EMAIL, error="No email address"
        )
        return Outcome.FAILED
    return None


def _requeue(*, rows: list[Delivery], slots: dict[int, datetime.datetime]) -> int:
    """Hand back the rows a batch had no time left for; a row keeps the slot it reserved."""
    rest = [row.pk for row in rows if row.pk not in slots]
    for row in rows:
        if row.pk in slots:
            _hand_back(delivery_id=row.pk, until=slots[row.pk], has_pace_slot=True)
    if rest:
        Delivery.objects.filter(pk__in=rest, status=Status.SENDING).update(
            status=Status.QUEUED, lease_expires_at=None, enqueued_at=timezone.now()
        )
        enqueue.deliver_many(rest)
    return len(rows)


def _hand_back(
    *,
    delivery_id: int,
    until: datetime.datetime,
    has_pace_slot: bool,
    **fields: str | Combinable,
) -> None:
    """Return a claimed row to the queue until ``until``; a short wait rides on a countdown."""
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
        enqueue.deliver_later(delivery_id, countdown=max(wait, 0))


class FailureFields(TypedDict):
    """The columns an UPDATE that fails a delivery sets (failure_fields)."""

    status: str
    failed_at: datetime.datetime
    error_code: str
    error: str
    lease_expires_at: None
    attempts: CombinedExpression


def failure_fields(*, code: str, error: str) -> FailureFields:
    """The UPDATE that fails a delivery (or every letter of a digest) for good."""
    return {
        "status": Status.FAILED,
        "failed_at": timezone.now(),
        "error_code": code,
        "error": error[:2000],
        "lease_expires_at": None,
        "attempts": F("attempts") + 1,
    }


def fail_delivery(
    *,
    delivery_id: int,
    code: str,
    error: str,
    from_statuses: Collection[str] = (Status.SENDING,),
) -> bool:
    """Mark a delivery failed for good and tell the supporter (on commit)."""
    failed = Delivery.objects.filter(pk=delivery_id, status__in=from_statuses).update(
        **failure_fields(code=code, error=error)
    )
    if failed:
        logger.warning("Delivery %s failed: %s", delivery_id, code)
        enqueue.tell_supporter_of_failure(delivery_id)
    return bool(failed)


def _send(*, delivery: Delivery) -> Outcome:
    """Send one claimed row whose slot has come, outside any transaction, and record it."""
    try:
        # The thread's kept-open ESP connection: no new HTTP session per letter.
        message = build_letter_message(delivery=delivery, connection=esp_connection())
        message.send()
    except Exception as exc:  # noqa: BLE001 -- every error is sorted, none may lose the row
        drop_esp_connection()  # the next letter starts on a fresh connection
        return _record_send_error(delivery=delivery, exc=exc)
    return _record_sent(delivery=delivery, esp_id=esp_message_id(message))


def esp_message_id(message: EmailMessage) -> str:
    status = getattr(message, "anymail_status", None)
    message_id = getattr(status, "message_id", None)
    if isinstance(message_id, set):
        return ",".join(sorted(str(m) for m in message_id if m))
    return str(message_id or "")


def _record_sent(*, delivery: Delivery, esp_id: str, error: str = "") -> Outcome:
    """Mark the delivery sent: from sending, or from queued if the sweeper took the row
    back while the ESP was slow (it went, so it must not go again)."""
    now = timezone.now()
    wanted = events.is_wanted(events.Kind.LETTER_SENT)
    # Plain SQL: the one statement each letter costs, and the ORM's UPDATE took more CPU
    # than the send itself (bench/deliver.py). With a letter.sent event wanted, the event
    # is written in the same transaction.
    with transaction.atomic() if wanted else contextlib.nullcontext():
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Delivery._meta.db_table} SET status = %s, sent_at = %s,"  # noqa: S608 -- our table name
                " esp_message_id = %s, message_id = %s, lease_expires_at = NULL,"
                " has_pace_slot = %s, attempts = attempts + 1, is_uncertain = %s, error = %s,"
                " error_code = '' WHERE id = %s AND status IN (%s, %s)",
                [
                    Status.SENT,
                    connection.ops.adapt_datetimefield_value(now),
                    esp_id,
                    message_id_for(delivery),
                    False,
                    bool(error),
                    error[:2000],
                    delivery.pk,
                    Status.SENDING,
                    Status.QUEUED,
                ],
            )
            recorded = cursor.rowcount
        if recorded and wanted:
            letter = delivery.letter
            event = letter_event(
                delivery_id=delivery.pk,
                letter_id=letter.pk,
                case_id=letter.case_id,
                supporter_id=letter.supporter_id,
                target_id=delivery.target_id,
                status=Status.SENT,
                channel="email",
                is_uncertain=bool(error),
            )
            events.record_many(kind=events.Kind.LETTER_SENT, events=[event])
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
        fail_delivery(delivery_id=delivery.pk, code=code, error=text)
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
