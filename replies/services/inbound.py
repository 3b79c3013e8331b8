"""Receiving replies: store the raw message fast and once, then let a task route it.

Two doors lead here: anymail's inbound webhook (the ESP posts what arrived on the reply
domain; replies/signals.py) and `manage.py receive_email` on the embedded default. Both call
`receive_message`, which does no parsing beyond the one header it keys on, so the
webhook answers the ESP quickly and a message that later fails to parse is still kept.
"""

import hashlib
import logging
from email.utils import getaddresses

from anymail.inbound import AnymailInboundMessage
from django.conf import settings
from django.db import IntegrityError, transaction

from .. import enqueue
from ..models import InboundMessage

__all__ = ["fingerprint", "receive_message", "recipient_from_headers"]

logger = logging.getLogger(__name__)

# The headers that name the address a message was delivered to, most reliable first.
RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "To", "Cc")


def fingerprint(*, raw: bytes, envelope_recipient: str, message_id: str) -> str:
    """The same message to the same address hashes the same, however often it is posted.

    By Message-ID when there is one: an ESP that rebuilds the MIME from parsed fields
    gives new boundaries on every post, so the bytes would differ.
    """
    digest = hashlib.sha256(envelope_recipient.strip().lower().encode() + b"\0")
    digest.update(message_id.strip().encode() if message_id.strip() else b"raw\0" + raw)
    return digest.hexdigest()


def recipient_from_headers(message: AnymailInboundMessage) -> str:
    """For a message without an envelope (a file fed by hand): the first header address on
    the reply domain. The signed token still decides where it goes."""
    domain = "@" + settings.REPLY_DOMAIN.lower()
    for header in RECIPIENT_HEADERS:
        for _name, address in getaddresses(message.get_all(header, [])):
            if address.lower().endswith(domain):
                return address
    return ""


def receive_message(
    *,
    raw: bytes,
    envelope_recipient: str = "",
    envelope_sender: str = "",
    esp_name: str = "",
    esp_event_id: str = "",
    is_spam: bool = False,
) -> tuple[InboundMessage, bool]:
    """Store one received message; (message, created).

    Idempotent: a replay (same ESP event id, or same fingerprint) returns the stored row
    and enqueues nothing. A new row enqueues replies.tasks.record_reply on commit.
    """
    message = AnymailInboundMessage.parse_raw_mime_bytes(raw)
    envelope_recipient = (envelope_recipient or recipient_from_headers(message))[:320]
    key = fingerprint(
        raw=raw, envelope_recipient=envelope_recipient, message_id=message.get("Message-ID", "")
    )
    esp_event_id = (esp_event_id or "")[:200]
    existing = _find(key=key, esp_name=esp_name, esp_event_id=esp_event_id)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            stored = InboundMessage.objects.create(
                fingerprint=key,
                esp_name=esp_name[:40],
                esp_event_id=esp_event_id,
                envelope_recipient=envelope_recipient,
                envelope_sender=(envelope_sender or "")[:320],
                is_spam=bool(is_spam),
                raw=raw,
                size=len(raw),
            )
            enqueue.record_reply(stored.pk)
    except IntegrityError:
        # The same message posted twice at once: the other request stored it.
        existing = _find(key=key, esp_name=esp_name, esp_event_id=esp_event_id)
        if existing is None:
            raise
        return existing, False
    logger.info("Inbound message %s stored (%d bytes)", stored.pk, len(raw))
    return stored, True


def _find(*, key: str, esp_name: str, esp_event_id: str) -> InboundMessage | None:
    found = InboundMessage.objects.filter(fingerprint=key).first()
    if found is None and esp_event_id:
        found = InboundMessage.objects.filter(
            esp_name=esp_name[:40], esp_event_id=esp_event_id
        ).first()
    return found
