"""Sending events to endpoints: fan out, hand out, claim, POST, record; retry; switch off.

How an event travels: the app where it happened writes an Event row in its own
transaction (campaigns.events) and, after the commit, asks for a dispatch (one a second
at most, and the beat's every minute). The dispatch fans new events out into one
`WebhookDelivery` per endpoint that wants them, takes back sends whose worker died, and
hands the due rows to workers (campaigns.outbox). A worker claims each row with one
conditional UPDATE (pending → sending, with a lease), POSTs it signed, outside any
transaction, and records the answer at once.

Guarantees:
- at least once: a row is only ever finished by a recorded answer; a worker killed
  between the POST and the record leaves the row in sending, and after its lease it is
  sent again (the one case where a receiver gets an event twice: it carries the same
  webhook-id, so the receiver can drop the repeat);
- in order per supporter: a row is neither handed out nor claimed while the same
  supporter has an earlier event not yet delivered to the same endpoint
  (models.waits_for_earlier); one given up no longer holds the others back;
- retries with exponential backoff for PLUMA_WEBHOOK_RETRY_HOURS, scheduled from the
  database (a short wait rides on a Celery countdown, never beyond the broker's
  visibility timeout);
- an endpoint whose every attempt has failed for PLUMA_WEBHOOK_DISABLE_HOURS is switched
  off and the organizers are told; what waits for it stays, and goes, in order, when an
  organizer switches it back on. Events that happen while it is off are not kept for it.
"""

from __future__ import annotations

import collections
import datetime
import json
import logging
import random
import time
from enum import StrEnum

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Event
from campaigns.outbox import Outbox, claim

from .. import enqueue, signing, transport
from ..models import (
    UNFINISHED,
    Endpoint,
    WebhookDelivery,
    to_active_endpoint,
    waits_for_earlier,
)
from .endpoints import forget_wanted_kinds, may_send_texts, signing_secrets
from .payloads import build_payload

logger = logging.getLogger(__name__)

Status = WebhookDelivery.Status
FAN_OUT_BATCH = 1000
SEND_BATCH = 20
# A batch task stops taking rows after this long and puts the rest back (hanging
# endpoints must not run a task into Celery's time limit).
BATCH_SECONDS = 120
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 6 * 3600
# Waits up to this long ride on a Celery countdown; longer ones are left to the beat's
# dispatch (an ETA task sits unacknowledged in a worker, past the visibility timeout).
MAX_COUNTDOWN_SECONDS = 300
# An endpoint's last success is written at most this often: every worker's success would
# otherwise update the same row.
SUCCESS_STAMP_EVERY = datetime.timedelta(seconds=60)


class Outcome(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"
    PUT_BACK = "put_back"


def lease_duration() -> datetime.timedelta:
    """How long one claimed row may be sending before it counts as lost: a connect and a
    few reads (each within PLUMA_WEBHOOK_TIMEOUT), and a margin."""
    return datetime.timedelta(seconds=4 * settings.PLUMA_WEBHOOK_TIMEOUT + 5)


def _due(now: datetime.datetime) -> Q:
    return (
        Q(status=Status.PENDING, next_attempt_at__lte=now)
        & to_active_endpoint()
        & ~waits_for_earlier()
    )


WEBHOOK_OUTBOX = Outbox(
    model=WebhookDelivery,
    due=_due,
    handed_out="handed_out_at",
    # A row handed out this long ago and still waiting is handed out again (its task was
    # lost with a worker or the broker). Handing a row out twice is harmless: the claim
    # lets one worker send it.
    lease=lease_duration,
    task_name="webhooks.tasks.deliver_webhooks",
    batch=SEND_BATCH,
    order_by=("event_id", "pk"),
)


# --- the dispatch ----------------------------------------------------------------------------


def dispatch_webhooks(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Fan new events out, take back sends whose worker died, hand out what is due.
    Run a second after events are recorded, and every minute by the beat. Idempotent."""
    now = now or timezone.now()
    return {
        "fanned_out": fan_out_events(now=now),
        "taken_back": take_back_lost(now=now),
        "handed_out": WEBHOOK_OUTBOX.hand_out(now=now),
    }


def fan_out_events(*, now: datetime.datetime | None = None) -> int:
    """One delivery row per active endpoint that wants each new event; returns how many.

    Events are taken oldest first under a row lock, so two dispatches never fan out side
    by side (a later event's row must not go before an earlier one's exists); a crash
    mid-way redoes the batch (rows are unique per endpoint and event).
    """
    now = now or timezone.now()
    made = 0
    while True:
        with transaction.atomic():
            batch = list(
                Event.objects.filter(fanned_out_at__isnull=True)
                .order_by("pk")
                .select_for_update()[:FAN_OUT_BATCH]
            )
            if not batch:
                break
            endpoints = list(Endpoint.objects.filter(is_active=True))
            rows = [
                WebhookDelivery(
                    endpoint=endpoint,
                    event=event,
                    kind=event.kind,
                    supporter_id=event.supporter_id,
                    created_at=now,
                    next_attempt_at=now,
                )
                for event in batch
                for endpoint in endpoints
                if endpoint.wants(event)
            ]
            WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
            Event.objects.filter(pk__in=[event.pk for event in batch]).update(fanned_out_at=now)
        made += len(rows)
        if len(batch) < FAN_OUT_BATCH:
            break
    return made


def take_back_lost(*, now: datetime.datetime | None = None) -> int:
    """Rows left sending past their lease (a worker killed mid-send) wait again, to be
    sent again: the receiver may have had them (at least once)."""
    now = now or timezone.now()
    taken = WebhookDelivery.objects.filter(status=Status.SENDING, lease_expires_at__lt=now).update(
        status=Status.PENDING, lease_expires_at=None, handed_out_at=None
    )
    if taken:
        logger.warning("%d webhook deliveries taken back after their lease ran out", taken)
    return taken


# --- sending -------------------------------------------------------------------------------


def deliver_webhooks(*, delivery_ids: list[int]) -> dict[str, int]:
    """deliver_webhook for each row of a batch, in turn, for at most BATCH_SECONDS; the
    rows not reached go back to the dispatch. Returns how many had each outcome."""
    started = time.monotonic()
    outcomes: collections.Counter[str] = collections.Counter()
    for number, delivery_id in enumerate(delivery_ids):
        if time.monotonic() - started > BATCH_SECONDS:
            rest = delivery_ids[number:]
            WebhookDelivery.objects.filter(pk__in=rest, status=Status.PENDING).update(
                handed_out_at=None
            )
            enqueue.request_dispatch()
            outcomes[Outcome.PUT_BACK.value] += len(rest)
            break
        outcomes[deliver_webhook(delivery_id=delivery_id).value] += 1
    return dict(outcomes)


def deliver_webhook(*, delivery_id: int) -> Outcome:
    """Send one due row to its endpoint and record the answer; any other row is left alone.

    Claims the row (pending → sending, with a lease) with one conditional UPDATE that
    re-checks everything that makes it due: its time, its endpoint switched on, no earlier
    event of its supporter waiting. Builds the payload from what Pluma holds now, signs
    it, POSTs it outside any transaction and records the answer at once.
    """
    now = timezone.now()
    claimed = claim(
        WebhookDelivery.objects.filter(pk=delivery_id).filter(_due(now)),
        status=Status.SENDING,
        lease_expires_at=now + lease_duration(),
    )
    if not claimed:
        return Outcome.SKIPPED
    delivery = WebhookDelivery.objects.select_related(
        "endpoint__texts_allowed_by", "event__case", "event__supporter"
    ).get(pk=delivery_id)
    endpoint = delivery.endpoint
    payload = build_payload(delivery=delivery, with_texts=may_send_texts(endpoint))
    body = json.dumps(
        payload, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")
    ).encode()
    headers = signing.headers(
        secrets=signing_secrets(endpoint, now=now),
        message_id=message_id(delivery.event),
        timestamp=int(time.time()),
        body=body,
    )
    answer = transport.post(url=endpoint.url, body=body, headers=headers)
    if answer.is_success:
        return _record_delivered(delivery=delivery, answer=answer)
    return _record_failed(delivery=delivery, answer=answer)


def message_id(event: Event) -> str:
    """The webhook-id: one per event, the same on every retry and for every endpoint."""
    return f"msg_{event.uuid.hex}"


def _answer_fields(answer: transport.Answer) -> dict[str, object]:
    return {
        "last_status_code": answer.status,
        "last_response": answer.body,
        "last_duration_ms": answer.duration_ms,
        "last_error": answer.error,
        "lease_expires_at": None,
        "attempts": F("attempts") + 1,
    }


def _record_delivered(*, delivery: WebhookDelivery, answer: transport.Answer) -> Outcome:
    """Finish the row: from sending, or from pending if its lease ran out while the
    endpoint was slow (it went, so it must not go again)."""
    now = timezone.now()
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk, status__in=UNFINISHED).update(
            status=Status.DELIVERED, delivered_at=now, **_answer_fields(answer)
        )
        Endpoint.objects.filter(pk=delivery.endpoint_id).filter(
            Q(failing_since__isnull=False)
            | Q(last_success_at__isnull=True)
            | Q(last_success_at__lt=now - SUCCESS_STAMP_EVERY)
        ).update(failing_since=None, last_success_at=now)
    if delivery.supporter_id is not None:
        # The supporter's next event to this endpoint may be waiting for this one.
        enqueue.request_dispatch()
    return Outcome.DELIVERED


def backoff(attempts: int) -> float:
    """Seconds before the next attempt: 30 s, 1 min, 2 min… up to 6 h, give or take a
    fifth, so events that failed together do not all come back together."""
    wait: int = min(BACKOFF_BASE_SECONDS << max(attempts - 1, 0), BACKOFF_CAP_SECONDS)
    return wait * random.uniform(0.8, 1.2)  # noqa: S311 -- jitter, not a secret


def _record_failed(*, delivery: WebhookDelivery, answer: transport.Answer) -> Outcome:
    """Wait and try again, or give up once the row is PLUMA_WEBHOOK_RETRY_HOURS old; mark
    the endpoint failing, and switch it off when it has failed long enough."""
    now = timezone.now()
    retry_for = datetime.timedelta(hours=settings.PLUMA_WEBHOOK_RETRY_HOURS)
    wait = backoff(delivery.attempts + 1)
    gives_up = now + datetime.timedelta(seconds=wait) > delivery.created_at + retry_for
    use_countdown = not gives_up and wait <= MAX_COUNTDOWN_SECONDS
    until = now + datetime.timedelta(seconds=wait)
    with transaction.atomic():
        rows = WebhookDelivery.objects.filter(pk=delivery.pk, status__in=UNFINISHED)
        if gives_up:
            rows.update(status=Status.FAILED, failed_at=now, **_answer_fields(answer))
        else:
            rows.update(
                status=Status.PENDING,
                next_attempt_at=until,
                # On its way (the countdown) until then; else the dispatch hands it out.
                handed_out_at=until if use_countdown else None,
                **_answer_fields(answer),
            )
        Endpoint.objects.filter(pk=delivery.endpoint_id, failing_since__isnull=True).update(
            failing_since=now
        )
        switch_off_if_failing(endpoint_id=delivery.endpoint_id, now=now)
    logger.info(
        "Webhook %s to endpoint %s failed (%s)%s",
        delivery.pk,
        delivery.endpoint_id,
        answer.status or answer.error,
        ", given up" if gives_up else f", retry in {wait:.0f} s",
    )
    if use_countdown:
        enqueue.deliver_webhooks_later([delivery.pk], countdown=wait)
    return Outcome.FAILED if gives_up else Outcome.RETRY


def switch_off_if_failing(*, endpoint_id: int, now: datetime.datetime) -> bool:
    """Switch the endpoint off if every attempt has failed for PLUMA_WEBHOOK_DISABLE_HOURS,
    and tell the organizers (on commit); returns whether this call switched it off."""
    since = now - datetime.timedelta(hours=settings.PLUMA_WEBHOOK_DISABLE_HOURS)
    hours = settings.PLUMA_WEBHOOK_DISABLE_HOURS
    switched = Endpoint.objects.filter(
        pk=endpoint_id, is_active=True, failing_since__lte=since
    ).update(
        is_active=False,
        disabled_at=now,
        disabled_reason=_("Every attempt failed for %(hours)d hours.") % {"hours": hours},
    )
    if switched:
        logger.warning("Webhook endpoint %s switched off: failing for %d h", endpoint_id, hours)
        transaction.on_commit(forget_wanted_kinds)
        enqueue.tell_organizers_endpoint_off(endpoint_id)
    return bool(switched)


# --- the log -------------------------------------------------------------------------------


def prune_webhook_log(*, now: datetime.datetime | None = None, batch: int = 1000) -> int:
    """Delete delivered and given-up rows older than PLUMA_WEBHOOK_LOG_DAYS, and events
    that old with no row left; returns how many rows went. Rows still waiting stay."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.PLUMA_WEBHOOK_LOG_DAYS)
    old = WebhookDelivery.objects.filter(
        Q(status=Status.DELIVERED, delivered_at__lt=cutoff)
        | Q(status=Status.FAILED, failed_at__lt=cutoff)
    )
    deleted = 0
    while ids := list(old.values_list("pk", flat=True)[:batch]):
        deleted += WebhookDelivery.objects.filter(pk__in=ids).delete()[0]
    spent = Event.objects.filter(fanned_out_at__lt=cutoff).exclude(
        pk__in=WebhookDelivery.objects.values("event_id")
    )
    while ids := list(spent.values_list("pk", flat=True)[:batch]):
        deleted += Event.objects.filter(pk__in=ids).delete()[0]
    return deleted
