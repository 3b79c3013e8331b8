"""Routing what came in: reading a stored message and filing it in the inbox.

How a reply travels: services.inbound stores the raw message and enqueues record_reply;
record_reply reads it, finds its delivery by the signed token in the address it was sent
to (else by In-Reply-To/References against the Message-IDs Pluma sent; never by From or
Subject), sorts out automatic answers and spam, and files it in the organizers' inbox.
Anything that cannot be routed with certainty goes to quarantine. Publishing what
organizers choose is services.inbox.
"""

import datetime
import logging
import re

import nh3
from anymail.inbound import AnymailInboundMessage
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from campaigns.mail import mask_email
from campaigns.services import unsubscribe_by_mail
from letters import tokens
from letters.messages import header_safe
from letters.models import Delivery

from .. import attachments
from ..models import InboundMessage, Reply, ReplyAttachment

__all__ = ["is_automatic", "own_words", "record_reply", "route", "sanitise_html"]

logger = logging.getLogger(__name__)

Kind, RoutedBy = Reply.Kind, Reply.RoutedBy
MAX_ATTACHMENTS = 20
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,300}>")
# Where the official's own words end and the quoted letter begins (Outlook, Gmail,
# Apple Mail, Thunderbird; English and Spanish).
_QUOTE_START = re.compile(
    r"^(?:-{2,}\s*(?:Original Message|Mensaje original|Forwarded message|Mensaje reenviado)"
    r"|_{10,}"
    r"|(?:From|De):\s.+\n(?:(?:Sent|Enviado(?: el)?|Date|Fecha):\s)"
    r"|On .{4,200} wrote:\s*$"
    r"|El .{4,200} escribió:\s*$"
    r"|>)",
    re.MULTILINE | re.IGNORECASE,
)
# No images: a remote picture in an HTML reply would tell its sender when an organizer
# opened it. Links stay, with rel="noopener noreferrer" added by nh3.
HTML_TAGS = nh3.ALLOWED_TAGS - {"img"}


# --- reading a message ------------------------------------------------------------------


def is_automatic(message: AnymailInboundMessage) -> bool:
    """Out-of-office answers, autoresponders, delivery and read reports (RFC 3834, 3464)."""
    auto_submitted = (message.get("Auto-Submitted") or "no").strip().lower()
    precedence = (message.get("Precedence") or "").strip().lower()
    return (
        auto_submitted != "no"
        or "X-Autoreply" in message
        or "X-Autorespond" in message
        or precedence in ("auto_reply", "bulk", "junk")
        or message.get_content_type() == "multipart/report"
        or (message.get("Return-Path") or "").strip() == "<>"
    )


def own_words(text: str) -> str:
    """The text above the quoted letter."""
    match = _QUOTE_START.search(text)
    cut = text[: match.start()] if match else text
    return cut.strip() or text.strip()


def sanitise_html(html: str) -> str:
    return nh3.clean(html, tags=HTML_TAGS, url_schemes={"http", "https", "mailto"})


def _message_ids(value: str | None) -> list[str]:
    return _MESSAGE_ID.findall(value or "")


# --- routing ----------------------------------------------------------------------------


def _token_of(address: str) -> str | None:
    """The token of an r-<token>@REPLY_DOMAIN address; None for any other address."""
    local, _at, domain = address.strip().strip("<>").rpartition("@")
    if domain.lower() != settings.REPLY_DOMAIN.lower() or not local.lower().startswith("r-"):
        return None
    return local


def _is_expired(delivery: Delivery, now: datetime.datetime) -> bool:
    went_out = delivery.sent_at or delivery.queued_at
    return went_out < now - datetime.timedelta(days=settings.PLUMA_REPLY_TOKEN_DAYS)


def route(
    *, message: AnymailInboundMessage, envelope_recipient: str, now: datetime.datetime
) -> tuple[Delivery | None, str, str]:
    """(delivery, routed_by, why quarantined) for a message; a delivery only if certain."""
    token = _token_of(envelope_recipient)
    if token is not None:
        delivery = tokens.route_token(token)
        if delivery is None:
            return None, RoutedBy.NONE, "unknown, forged or damaged reply address"
        if _is_expired(delivery, now):
            return None, RoutedBy.NONE, "expired reply address"
        return delivery, RoutedBy.TOKEN, ""
    # Replies sent to the letters address rather than the reply address still quote our
    # Message-ID; In-Reply-To names the message answered, References the thread, newest last.
    ids = _message_ids(message.get("In-Reply-To")) + _message_ids(message.get("References"))[::-1]
    for message_id in ids:
        delivery = Delivery.objects.filter(message_id=message_id).select_related("letter").first()
        if delivery is not None:
            if _is_expired(delivery, now):
                return None, RoutedBy.NONE, "expired conversation"
            return delivery, RoutedBy.THREAD, ""
    return None, RoutedBy.NONE, "no reply address and no known conversation"


def _attachment_rows(message: AnymailInboundMessage) -> list[tuple[ReplyAttachment, bytes]]:
    rows = []
    parts = [*message.attachments, *message.inlines][:MAX_ATTACHMENTS]
    for part in parts:
        content = part.get_content_bytes() or b""
        kind, why = attachments.check(
            content,
            allowed=attachments.REPLY_ATTACHMENT_TYPES,
            max_bytes=settings.PLUMA_REPLY_ATTACHMENT_MAX_BYTES,
        )
        row = ReplyAttachment(
            filename=header_safe(part.get_filename() or "")[:255],
            content_type=kind,
            size=len(content),
            rejected_reason=why,
        )
        rows.append((row, content if kind else b""))
    return rows


def record_reply(*, inbound_id: int) -> Reply:
    """Read a stored message, route it and file it in the inbox; idempotent per message.

    Kinds: spam (the ESP said so), automatic (out-of-office, delivery reports), reply
    (routed to a delivery), quarantined (anything not routed with certainty).
    """
    existing = Reply.objects.filter(inbound_id=inbound_id).first()
    if existing is not None:
        return existing
    inbound = InboundMessage.objects.get(pk=inbound_id)
    message = AnymailInboundMessage.parse_raw_mime_bytes(bytes(inbound.raw))
    now = timezone.now()
    if inbound.envelope_recipient.strip().lower() == settings.PLUMA_UNSUBSCRIBE_EMAIL.lower():
        return _file_unsubscribe(inbound=inbound, message=message, now=now)
    delivery, routed_by, why = route(
        message=message, envelope_recipient=inbound.envelope_recipient, now=now
    )
    if inbound.is_spam:
        kind = Kind.SPAM
    elif is_automatic(message):
        kind = Kind.AUTOMATIC
    elif delivery is None:
        kind = Kind.QUARANTINED
    else:
        kind = Kind.REPLY
    html = sanitise_html(message.html or "")
    text = message.text or strip_tags(html)
    reply = Reply(
        inbound=inbound,
        kind=kind,
        routed_by=routed_by,
        quarantine_reason=why if kind == Kind.QUARANTINED else "",
        delivery=delivery,
        letter=delivery.letter if delivery else None,
        target_id=delivery.target_id if delivery else None,
        case_id=delivery.letter.case_id if delivery else None,
        from_address=header_safe(str(message.from_email or ""))[:320],
        subject=header_safe(message.subject or "")[:500],
        message_id=header_safe(message.get("Message-ID", ""))[:300],
        sent_at=message.date,
        received_at=inbound.received_at,
        text=own_words(text),
        html=html,
    )
    files = _attachment_rows(message)
    try:
        with transaction.atomic():
            reply.save()
            for row, content in files:
                row.reply = reply
                if content:
                    row.file.save(row.filename or "attachment", ContentFile(content), save=False)
                row.save()
            InboundMessage.objects.filter(pk=inbound_id).update(routed_at=now)
    except IntegrityError:
        # Two workers ran the same task: the other one filed it.
        return Reply.objects.get(inbound_id=inbound_id)
    logger.info("Inbound message %s filed as %s reply %s", inbound_id, kind, reply.pk)
    return reply


def _file_unsubscribe(
    *, inbound: InboundMessage, message: AnymailInboundMessage, now: datetime.datetime
) -> Reply:
    """A supporter's mail to the List-Unsubscribe mailto: act on it, and keep no more of it
    than the inbox needs to show it was handled (a supporter's address is not a reply)."""
    acted = unsubscribe_by_mail(subject=message.subject or "")
    reply = Reply(
        inbound=inbound,
        kind=Kind.AUTOMATIC,
        routed_by=RoutedBy.NONE,
        from_address=mask_email(str(message.from_email.addr_spec if message.from_email else "")),
        subject=_("Unsubscribe request (done)") if acted else _("Unsubscribe request (not ours)"),
        sent_at=message.date,
        received_at=inbound.received_at,
    )
    try:
        with transaction.atomic():
            reply.save()
            InboundMessage.objects.filter(pk=inbound.pk).update(raw=b"", routed_at=now)
    except IntegrityError:
        return Reply.objects.get(inbound_id=inbound.pk)
    logger.info("Inbound message %s: unsubscribe request, acted=%s", inbound.pk, acted)
    return reply
