"""Tracking: ESP webhook events move sent letters to delivered, bounced or failed."""

import hashlib
from collections.abc import Mapping

from anymail.signals import AnymailTrackingEvent, EventType
from django.db import transaction
from django.utils import timezone

from .. import enqueue
from ..models import Delivery, DeliveryEvent
from .events import Kind, record_letter_events

Status = Delivery.Status


# How each anymail event type moves a delivery: (new status, from which statuses).
# A complaint proves the letter arrived. A queued source covers the rare row the sweeper
# took back while the ESP had in fact accepted it: the event stops a second send.
_TRANSITIONS = {
    EventType.DELIVERED: (Status.DELIVERED, (Status.QUEUED, Status.SENDING, Status.SENT)),
    EventType.COMPLAINED: (Status.DELIVERED, (Status.QUEUED, Status.SENDING, Status.SENT)),
    EventType.BOUNCED: (
        Status.BOUNCED,
        (Status.QUEUED, Status.SENDING, Status.SENT, Status.DELIVERED),
    ),
    EventType.REJECTED: (Status.FAILED, (Status.QUEUED, Status.SENDING, Status.SENT)),
    EventType.FAILED: (Status.FAILED, (Status.QUEUED, Status.SENDING, Status.SENT)),
    EventType.DEFERRED: (None, ()),
}
# What others hear of (campaigns.events); a failure at the ESP is no news to them.
_EVENTS = {
    Status.DELIVERED: Kind.LETTER_DELIVERED,
    Status.BOUNCED: Kind.LETTER_BOUNCED,
}
_STAMPS = {
    Status.DELIVERED: "delivered_at",
    Status.BOUNCED: "bounced_at",
    Status.FAILED: "failed_at",
}


def _event_key(event: AnymailTrackingEvent, esp_name: str) -> str:
    if event.event_id:
        return f"{esp_name}:{event.event_id}"[:200]
    # Postmark's delivery events carry no id; the same event replayed hashes the same.
    when = event.timestamp.isoformat() if event.timestamp else ""
    raw = f"{event.event_type}|{event.message_id}|{event.recipient}|{when}"
    return f"{esp_name}:sha256:{hashlib.sha256(raw.encode()).hexdigest()}"


def _find_delivery_ids(event: AnymailTrackingEvent) -> list[int]:
    """The deliveries an event is about: one letter, or every letter of a digest.

    By our metadata first (present even before the send was recorded): a letter carries
    its delivery id, a digest the id of its first delivery, whose Message-ID its letters
    share. Else by the ESP's message id, which a digest's letters also share.
    """
    metadata: Mapping[str, str] = event.metadata or {}
    for key in ("delivery_id", "digest_of"):
        try:
            delivery_id = int(metadata.get(key, ""))
        except (TypeError, ValueError):
            continue
        found = list(Delivery.objects.filter(pk=delivery_id).values_list("message_id", flat=True))
        if not found:
            continue
        if key == "delivery_id" or not found[0]:
            return [delivery_id]
        siblings = Delivery.objects.filter(message_id=found[0]).values_list("pk", flat=True)
        return sorted({delivery_id, *siblings})
    if event.message_id:
        return list(
            Delivery.objects.filter(esp_message_id=str(event.message_id)[:200])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    return []


def record_delivery_event(*, event: AnymailTrackingEvent, esp_name: str) -> DeliveryEvent | None:
    """Record an ESP tracking event and move its deliveries, only from the expected states.

    Idempotent on the event id: a replayed event returns None and changes nothing.
    Events that say nothing about delivery (opens, clicks) are ignored. A bounce or a
    failure tells the supporter, on commit; a delivery or a bounce is recorded as a
    letter.delivered or letter.bounced event (campaigns.events) if anyone wants it.
    """
    if event.event_type not in _TRANSITIONS:
        return None
    delivery_ids = _find_delivery_ids(event)
    new_status, from_statuses = _TRANSITIONS[event.event_type]
    description = " ".join(filter(None, [event.description, event.mta_response]))
    with transaction.atomic():
        record, created = DeliveryEvent.objects.get_or_create(
            event_id=_event_key(event, esp_name),
            defaults={
                # A digest's event is filed under its first letter.
                "delivery_id": delivery_ids[0] if delivery_ids else None,
                "esp_name": esp_name[:40],
                "event_type": event.event_type,
                "description": description[:2000],
                "occurred_at": event.timestamp,
            },
        )
        if not created:
            return None
        if not delivery_ids or new_status is None:
            return record
        if event.message_id:
            Delivery.objects.filter(pk__in=delivery_ids, esp_message_id="").update(
                esp_message_id=str(event.message_id)[:200]
            )
        fields = {"status": new_status, _STAMPS[new_status]: event.timestamp or timezone.now()}
        if new_status != Status.DELIVERED:
            fields["error_code"] = (
                Delivery.ErrorCode.BOUNCED
                if new_status == Status.BOUNCED
                else Delivery.ErrorCode.REJECTED_ADDRESS
            )
            fields["error"] = record.description
        # Locked, so the supporters told are exactly those whose letter this event moved.
        movable = list(
            Delivery.objects.select_for_update()
            .filter(pk__in=delivery_ids, status__in=from_statuses)
            .values_list("pk", flat=True)
        )
        Delivery.objects.filter(pk__in=movable).update(lease_expires_at=None, **fields)
        if new_status in _EVENTS:
            record_letter_events(kind=_EVENTS[new_status], delivery_ids=movable, status=new_status)
        if new_status != Status.DELIVERED:
            for delivery_id in movable:
                enqueue.tell_supporter_of_failure(delivery_id)
    return record
