"""What an endpoint receives for an event: built when it is sent, from the event's ids,
counts and states and from what Pluma holds *then*.

Personal fields (name, email, country, language) go only with the supporter's consent
covering the organisation: Pluma runs for one organisation, and a supporter who agreed to
hear from it — news of new cases (``new_cases``), or updates on the event's case
(``case_updates`` on that case) — has agreed to its knowing them. Agreeing that a name be
passed to an official (``share_name``) is for the official, not the organisation, and
does not count. Without such a consent a supporter is only their opaque public id.

Texts (a supporter's letter, an official's reply) go only to an endpoint that asks for
them and was set up by someone allowed to send them (endpoints.may_send_texts).
``supporter.erased`` carries the supporter's public id and nothing else.

Built at each attempt, so a consent withdrawn or a supporter erased before an event goes
out is honoured, and no text or name ever sits in the outbox.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from campaigns.models import Consent, Event, Supporter, UrgentAction
from letters.models import Delivery, fill_placeholders, placeholder_values
from petitions import counts
from replies.models import Reply

from ..models import WebhookDelivery

Kind = Event.Kind
LETTER_KINDS = frozenset({Kind.LETTER_SENT, Kind.LETTER_DELIVERED, Kind.LETTER_BOUNCED})

Payload = dict[str, Any]


def build_payload(*, delivery: WebhookDelivery, with_texts: bool) -> Payload:
    """The JSON document for one delivery: ``type``, ``timestamp`` and ``data``
    (Standard Webhooks' shape). ``delivery`` comes with its event's case and supporter."""
    event = delivery.event
    data: Payload = {"event_id": str(event.uuid)}
    if event.kind == Kind.SUPPORTER_ERASED:
        data["supporter"] = {"id": str(event.data["supporter"]["id"])}
        return _envelope(event, data)
    case: UrgentAction | None = event.case
    if case is not None:
        data["case"] = {"id": case.pk, "number": case.number, "status": case.status}
    if event.supporter is not None:
        data["supporter"] = supporter_fields(event.supporter, case_id=event.case_id)
    for key, value in event.data.items():
        known = data.get(key)
        data[key] = {**known, **value} if isinstance(known, dict) else value
    if event.kind == Kind.CASE_CLOSED and case is not None:
        settled = counts.counts_for(case)
        data["counts"] = {
            "signatures_online": settled.online,
            "signatures_paper": settled.paper,
            "signatures": settled.total,
        }
    if event.kind == Kind.REPLY_PUBLISHED and event.object_id is not None:
        data["reply"] = {**data.get("reply", {}), **_reply(event.object_id, with_texts)}
    if with_texts and event.kind in LETTER_KINDS and event.object_id is not None:
        letter = _letter_text(event.object_id)
        if letter is not None:
            data["letter"] = letter
    return _envelope(event, data)


def _envelope(event: Event, data: Payload) -> Payload:
    return {"type": event.kind, "timestamp": event.occurred_at.isoformat(), "data": data}


def has_consent(supporter: Supporter, *, case_id: int | None) -> bool:
    """Whether the supporter agreed to the organisation's knowing who they are (above)."""
    if supporter.erased_at is not None:
        return False
    covering = Q(kind=Consent.Kind.NEW_CASES)
    if case_id is not None:
        covering |= Q(kind=Consent.Kind.CASE_UPDATES, action_id=case_id)
    return Consent.objects.filter(covering, supporter=supporter, withdrawn_at__isnull=True).exists()


def supporter_fields(supporter: Supporter, *, case_id: int | None) -> Payload:
    """The opaque id, and with consent the name, email, country and language."""
    fields: Payload = {"id": str(supporter.public_id)}
    if has_consent(supporter, case_id=case_id):
        fields |= {
            "name": supporter.name,
            "email": supporter.email,
            # A Country whose str() is its code, or "" when none was given.
            "country": str(supporter.country or ""),
            "language": supporter.language,
        }
    return fields


def _reply(reply_id: int, with_texts: bool) -> Payload:
    """The published summary (it is on the case page for all to read); the official's
    own words only with texts."""
    reply = Reply.objects.filter(pk=reply_id).only("summary", "subject", "text").first()
    if reply is None:
        return {}
    found: Payload = {"summary": reply.summary}
    if with_texts:
        found |= {"subject": reply.subject, "text": reply.text}
    return found


def _letter_text(delivery_id: int) -> Payload | None:
    """The letter as the official got it (placeholders filled for them)."""
    delivery = (
        Delivery.objects.select_related("letter__case", "target").filter(pk=delivery_id).first()
    )
    if delivery is None:
        return None
    letter = delivery.letter
    values = placeholder_values(target=delivery.target, writer=letter, case=letter.case)
    return {
        "subject": fill_placeholders(letter.subject, values),
        "body": fill_placeholders(letter.body, values),
        "language": letter.language,
    }
