"""Helpers for the reply tests: a letter that went out, and inbound files addressed to it."""

import json
from pathlib import Path

from django.core import mail

from letters import services, tokens
from letters.models import Delivery

INBOUND = Path(__file__).parent / "inbound"


def send(letter) -> Delivery:
    """Queue and deliver a letter through the services; its (first) delivery, now sent."""
    services.queue_letter(letter=letter)
    delivery = letter.deliveries.order_by("pk").first()
    # Several letters to one official in a test: skip the official's pace.
    Delivery.objects.filter(pk=delivery.pk).update(has_pace_slot=True)
    services.deliver(delivery_id=delivery.pk)
    mail.outbox.clear()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    return delivery


def fill(text: str, delivery: Delivery | None, *, reply_to: str | None = None) -> str:
    reply_to = reply_to or (tokens.reply_address(delivery.pk) if delivery else "r-x@nowhere")
    message_id = delivery.message_id if delivery else "<unknown@nowhere.example>"
    return text.replace("{{REPLY_TO}}", reply_to).replace("{{MESSAGE_ID}}", message_id)


def eml(name: str, delivery: Delivery | None = None, **kwargs) -> bytes:
    return fill((INBOUND / name).read_text(), delivery, **kwargs).encode()


def payload(name: str, delivery: Delivery | None = None, **kwargs) -> dict:
    return json.loads(fill((INBOUND / name).read_text(), delivery, **kwargs))
