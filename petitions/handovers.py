"""Every write of a handover: asking for a pack, recording the handover, telling supporters."""

import datetime
import logging
import re

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from campaigns.models import Consent, Supporter, Target, UrgentAction

from . import counts
from .models import Handover, HandoverNotice, HandoverPack
from .pages import case_page_url

logger = logging.getLogger(__name__)

FINGERPRINT_RE = re.compile(r"^[0-9a-f]{64}$")


def _tasks():
    # Imported here: tasks import this module.
    from . import tasks

    return tasks


def request_pack(
    *,
    action: UrgentAction,
    recipient: Target,
    include_names: bool = True,
    requested_by: AbstractBaseUser | None = None,
) -> HandoverPack:
    """Create a queued pack and enqueue its build on commit; returns the pack."""
    pack = HandoverPack.objects.create(
        action=action,
        recipient=recipient,
        language=recipient.language,
        include_names=include_names,
        requested_by=requested_by,
    )
    _tasks().build_pack.delay_on_commit(pack.pk)
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
    photo=None,
    is_receipt_acknowledged: bool = False,
    notes: str = "",
    recorded_by: AbstractBaseUser | None = None,
) -> Handover:
    """Record a handover and, on commit, enqueue telling the case's supporters.

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
    _tasks().notify_handover.delay_on_commit(handover.pk)
    logger.info("Handover #%s of UA %s recorded", handover.pk, action.number)
    return handover


def supporters_to_tell(handover: Handover):
    """Ids of the case's supporters with an active consent to updates, not yet told."""
    return (
        Consent.objects.filter(
            action_id=handover.action_id,
            kind=Consent.Kind.CASE_UPDATES,
            withdrawn_at__isnull=True,
            supporter__erased_at__isnull=True,
        )
        .exclude(supporter__in=HandoverNotice.objects.filter(handover=handover).values("supporter"))
        .values_list("supporter_id", flat=True)
        .distinct()
        .order_by("supporter_id")
    )


def notify_handover(*, handover_id: int) -> int:
    """Enqueue one notice task per supporter to tell; returns how many were enqueued.

    Safe to run twice: send_handover_notice tells each supporter at most once.
    """
    handover = Handover.objects.filter(pk=handover_id).first()
    if handover is None:
        return 0
    tasks = _tasks()
    enqueued = 0
    for supporter_id in supporters_to_tell(handover).iterator(chunk_size=2000):
        tasks.send_handover_notice.delay(handover_id, supporter_id)
        enqueued += 1
    return enqueued


def send_handover_notice(*, handover_id: int, supporter_id: int) -> bool:
    """Email one supporter about one handover; returns whether this call sent it.

    The notice row is written before sending and its unique constraint makes a second
    run (a retried or duplicated task) a no-op. If sending fails the row is removed, so
    the retry sends it.
    """
    handover = Handover.objects.select_related("action", "recipient").filter(pk=handover_id).first()
    supporter = Supporter.objects.filter(pk=supporter_id, erased_at__isnull=True).first()
    if handover is None or supporter is None:
        return False
    try:
        with transaction.atomic():
            notice = HandoverNotice.objects.create(handover=handover, supporter=supporter)
    except IntegrityError:
        return False
    try:
        _send_notice(handover, supporter)
    except Exception:
        notice.delete()
        raise
    return True


def _send_notice(handover: Handover, supporter: Supporter) -> None:
    with translation.override(supporter.language):
        context = {
            "handover": handover,
            "action": handover.action,
            "name": supporter.name,
            "case_url": case_page_url(handover.action, supporter.language),
            "organisation": settings.ORGANISATION_NAME,
        }
        subject = render_to_string("petitions/handovers/email/notice_subject.txt", context)
        message = EmailMultiAlternatives(
            subject=" ".join(subject.split()),
            body=render_to_string("petitions/handovers/email/notice.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[supporter.email],
        )
    message.send()


def find_pack(fingerprint: str) -> HandoverPack | None:
    """The ready pack with this fingerprint (lower-case hex), or None."""
    return (
        HandoverPack.objects.select_related("action")
        .filter(fingerprint=fingerprint, status=HandoverPack.Status.READY)
        .order_by("pk")
        .first()
    )
