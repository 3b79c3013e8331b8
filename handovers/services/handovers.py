"""Every write of a handover: asking for a pack, recording the handover, telling supporters."""

import datetime
import logging
import re

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.images.models import AbstractImage

from campaigns import events
from campaigns.models import Announcement, Target, UrgentAction
from campaigns.services import announce
from petitions import counts

from .. import enqueue
from ..models import Handover, HandoverPack

logger = logging.getLogger(__name__)

FINGERPRINT_RE = re.compile(r"^[0-9a-f]{64}$")


def request_pack(
    *,
    action: UrgentAction,
    recipient: Target,
    include_names: bool = True,
    requested_by: User | None = None,
) -> HandoverPack:
    """Create a queued pack and enqueue its build on commit; returns the pack."""
    pack = HandoverPack.objects.create(
        action=action,
        recipient=recipient,
        language=recipient.language,
        include_names=include_names,
        requested_by=requested_by,
    )
    enqueue.build_pack(pack.pk)
    return pack


def record_handover(
    *,
    action: UrgentAction,
    recipient: Target,
    handed_over_on: datetime.date,
    place: str,
    delivered_by: str,
    received_by: str = "",
    pack: HandoverPack | None = None,
    count_delivered: int | None = None,
    photo: AbstractImage | None = None,
    is_receipt_acknowledged: bool = False,
    notes: str = "",
    recorded_by: User | None = None,
) -> Handover:
    """Record a handover (and a handover.recorded event, if anyone wants it) and, on
    commit, enqueue telling the case's supporters.

    The count is frozen now: the pack's total if a ready pack is given, else the count
    given, else the case's current online + paper count. Raises ValidationError for a
    pack of another case or one that is not ready.
    """
    fingerprint = ""
    if pack is not None:
        if pack.action_id != action.pk:
            raise ValidationError(_("This pack belongs to another case."))
        if pack.status != HandoverPack.Status.READY:
            raise ValidationError(_("This pack is not ready yet."))
        fingerprint = pack.fingerprint
        if count_delivered is None:
            count_delivered = pack.total
    if count_delivered is None:
        count_delivered = counts.counts_for(action).total
    with transaction.atomic():
        handover = Handover.objects.create(
            action=action,
            recipient=recipient,
            pack=pack,
            handed_over_on=handed_over_on,
            place=place,
            delivered_by=delivered_by,
            received_by=received_by,
            count_delivered=count_delivered,
            fingerprint=fingerprint,
            photo=photo,
            is_receipt_acknowledged=is_receipt_acknowledged,
            notes=notes,
            recorded_by=recorded_by,
        )
        events.record(
            kind=events.Kind.HANDOVER_RECORDED,
            case_id=action.pk,
            object_id=handover.pk,
            data={
                "handover": {
                    "id": handover.pk,
                    "recipient_id": recipient.pk,
                    "handed_over_on": handed_over_on.isoformat(),
                    "count_delivered": count_delivered,
                    "pack_id": pack.pk if pack is not None else None,
                    "fingerprint": fingerprint,
                    "is_receipt_acknowledged": is_receipt_acknowledged,
                }
            },
        )
        transaction.on_commit(lambda: announce_handover(handover_id=handover.pk))
    logger.info("Handover #%s of UA %s recorded", handover.pk, action.number)
    return handover


def _handover_news(handover: Handover) -> dict[str, dict[str, str]]:
    """The announcement's subject and body in each language (announce adds the rest)."""
    action = handover.action
    values = {"number": action.number, "title": action.title}
    content = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            sentence = render_to_string("handovers/_sentence.txt", {"handover": handover})
            thanks = _(
                "Thank you for acting on Urgent Action %(number)s: %(title)s. "
                "Your voice was part of it."
            )
            content[code] = {
                "subject": _("UA %(number)s: your message was handed over") % values,
                "body": f"{sentence.strip()}\n\n{thanks % values}",
            }
    return content


def announce_handover(*, handover_id: int) -> None:
    """Tell the case's supporters who agreed to updates; once per handover (announce)."""
    handover = Handover.objects.select_related("action", "recipient").filter(pk=handover_id).first()
    if handover is None:
        return
    announce(
        action=handover.action,
        kind=Announcement.Kind.HANDOVER,
        reference=handover.pk,
        content=_handover_news(handover),
    )


def find_pack(fingerprint: str) -> HandoverPack | None:
    """The ready pack with this fingerprint (lower-case hex), or None."""
    return (
        HandoverPack.objects.select_related("action")
        .filter(fingerprint=fingerprint, status=HandoverPack.Status.READY)
        .order_by("pk")
        .first()
    )
