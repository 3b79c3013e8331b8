"""Telling supporters: one announcement per piece of news, one delivery row per recipient.

How news travels: ``announce`` stores the announcement (once per kind and reference) and
enqueues its fan-out on commit; the fan-out writes the delivery rows in batches, in
supporter order, so a re-run after a crash resumes after the last row written, then hands
the pending rows to workers in batches (campaigns.outbox; the beat hands out any a lost
message left behind); each send claims its row with a conditional UPDATE (pending →
sending → sent), so a recipient is emailed at most once however often a task runs. While
an organizer holds the case (campaigns.holds), its pending rows are neither handed out nor
claimed; resuming hands them out again.
"""

import datetime
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Min, Q, QuerySet
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django_countries.fields import Country

from . import enqueue
from .mail import mask_email, send_template, subscription_url, unsubscribe_url, url_in
from .models import (
    Announcement,
    AnnouncementDelivery,
    Consent,
    DeadlineExtension,
    FollowUp,
    Subscription,
    UrgentAction,
)
from .outbox import Outbox
from .pages import case_url

logger = logging.getLogger(__name__)

Kind = Announcement.Kind
Status = AnnouncementDelivery.Status
BATCH = 1000
# Emails one send_announcements task sends.
SEND_BATCH = 50


def announce(
    *,
    action: UrgentAction,
    kind: str,
    reference: str | int,
    content: Mapping[str, Mapping[str, str]] | None = None,
    supporter_ids: Iterable[int] | None = None,
) -> Announcement:
    """Announce news about ``action`` to everyone who agreed to hear about it.

    ``kind`` is an Announcement.Kind; ``reference`` names what is announced (the reply's,
    handover's or follow-up's id) and, with the kind, makes the announcement unique: a
    second call with the same pair changes nothing and returns the first announcement.
    ``content`` maps a language code to {"subject": ..., "body": ...} in plain text (the
    greeting, the case link and the unsubscribe footer are added); it may be left out
    for the kinds campaigns writes itself (follow_up, deadline_extended, closed,
    new_case). Recipients are the supporters with an active case_updates consent on the
    case (for new_case: the confirmed immediate subscriptions that match it), each
    emailed once in their own language. ``supporter_ids``, when given, narrows the
    recipients to those supporters (still only the ones with an active consent).
    Enqueues the fan-out when the transaction commits.
    """
    kind = Kind(kind)
    reference = str(reference)
    if content is None:
        content = _content_for(action=action, kind=kind, reference=reference)
    if not content:
        raise ValueError(f"Announcements of kind {kind} need their content.")
    if supporter_ids is not None:
        supporter_ids = sorted({int(pk) for pk in supporter_ids})
    try:
        with transaction.atomic():
            announcement = Announcement.objects.create(
                action=action,
                kind=kind,
                reference=reference,
                content=dict(content),
                supporter_ids=supporter_ids,
            )
    except IntegrityError:
        return Announcement.objects.get(kind=kind, reference=reference)
    enqueue.fan_out_announcement(announcement.pk)
    logger.info("Announcement #%s (%s) on UA %s", announcement.pk, kind, action.number)
    return announcement


def _in_each_language(build: Callable[[str], tuple[str, str]]) -> dict[str, dict[str, str]]:
    content = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            subject, body = build(code)
            content[code] = {"subject": str(subject), "body": str(body)}
    return content


def _content_for(*, action: UrgentAction, kind: str, reference: str) -> dict[str, dict[str, str]]:
    number, title = action.number, action.title
    if kind == Kind.FOLLOW_UP:
        follow_up = FollowUp.objects.prefetch_related("texts").get(pk=reference)

        def build(code: str) -> tuple[str, str]:
            text = follow_up.text_in(code)
            body = f"{text.title}\n\n{text.body}" if text else ""
            if follow_up.new_deadline:
                date = formats.date_format(follow_up.new_deadline, "DATE_FORMAT")
                body += "\n\n" + _("New deadline: %(date)s") % {"date": date}
            subject = _("Further information on UA %(number)s: %(title)s")
            return subject % {"number": number, "title": title}, body

    elif kind == Kind.DEADLINE_EXTENDED:
        extension = DeadlineExtension.objects.get(pk=reference)

        def build(code: str) -> tuple[str, str]:
            date = formats.date_format(extension.new_deadline, "DATE_FORMAT")
            values = {"number": number, "title": title, "date": date}
            subject = _("UA %(number)s: there is time to act until %(date)s") % values
            body = _("The deadline of UA %(number)s, %(title)s, is now %(date)s.") % values
            return subject, body

    elif kind == Kind.CLOSED:

        def build(code: str) -> tuple[str, str]:
            values = {
                "number": number,
                "title": title,
                "outcome": action.get_outcome_kind_display(),
            }
            subject = _("UA %(number)s is closed: %(outcome)s") % values
            body = _("UA %(number)s, %(title)s, is closed.") % values
            return subject, f"{body}\n\n{action.outcome}".strip()

    elif kind == Kind.NEW_CASE:
        # django-countries' stub types the field as CharField's str; it holds a Country.
        country = cast(Country, action.country)

        def build(code: str) -> tuple[str, str]:
            # The name in the language being built (it is translated).
            values = {"number": number, "title": title, "country": country.name}
            subject = _("New Urgent Action %(number)s: %(title)s") % values
            return subject, f"{title} ({country.name})\n\n{action.summary}".strip()

    else:
        return {}
    return _in_each_language(build)


def _recipients(
    announcement: Announcement,
) -> QuerySet[Subscription, tuple[int, int]] | QuerySet[Consent, int]:
    """Supporter ids to tell, in order; for new cases (supporter id, subscription id)."""
    if announcement.kind == Kind.NEW_CASE:
        return (
            Subscription.objects.active()
            .matching(announcement.action)
            .filter(frequency=Subscription.Frequency.IMMEDIATE, supporter__erased_at__isnull=True)
            .values("supporter_id")
            .annotate(subscription_id=Min("pk"))
            .order_by("supporter_id")
            .values_list("supporter_id", "subscription_id")
        )
    consents = Consent.objects.filter(
        action_id=announcement.action_id,
        kind=Consent.Kind.CASE_UPDATES,
        withdrawn_at__isnull=True,
        supporter__erased_at__isnull=True,
    )
    if announcement.supporter_ids is not None:
        consents = consents.filter(supporter_id__in=announcement.supporter_ids)
    return consents.values_list("supporter_id", flat=True).distinct().order_by("supporter_id")


def fan_out_announcement(*, announcement_id: int) -> int:
    """Write the missing delivery rows, then hand the pending rows to workers.

    Safe to run again after a crash or twice at once: rows are unique per supporter and
    written in supporter order (a re-run starts after the last one), and a send claims
    its row before sending. Returns how many rows were handed out.
    """
    announcement = Announcement.objects.select_related("action").filter(pk=announcement_id).first()
    if announcement is None:
        return 0
    last = announcement.deliveries.aggregate(last=Max("supporter_id"))["last"] or 0
    recipients = _recipients(announcement)
    while rows := list(recipients.filter(supporter_id__gt=last)[:BATCH]):
        batch = [row if isinstance(row, tuple) else (row, None) for row in rows]
        AnnouncementDelivery.objects.bulk_create(
            [
                AnnouncementDelivery(
                    announcement=announcement,
                    supporter_id=supporter_id,
                    subscription_id=subscription_id,
                )
                for supporter_id, subscription_id in batch
            ],
            ignore_conflicts=True,
        )
        last = batch[-1][0]
    Announcement.objects.filter(pk=announcement_id, fanned_out_at__isnull=True).update(
        fanned_out_at=timezone.now()
    )
    handed_out = dispatch_announcements()
    logger.info("Announcement #%s fanned out; %d sends handed out", announcement_id, handed_out)
    return handed_out


def _held() -> Q:
    """Rows of announcements about a case an organizer holds. A sub-select on other tables,
    not a join: the claim's conditional UPDATE keeps its conditions on the row it changes."""
    return Q(announcement__in=Announcement.objects.filter(action__in=UrgentAction.objects.held()))


# Pending rows go to workers SEND_BATCH to a task. A row handed out this long ago and still
# pending is handed out again (a lost broker message); the claim in send_announcement keeps
# it to one email. Long, because a big fan-out may wait its turn on the broker that long.
ANNOUNCEMENT_OUTBOX = Outbox(
    model=AnnouncementDelivery,
    due=lambda now: Q(status=Status.PENDING) & ~_held(),
    handed_out="handed_out_at",
    lease=lambda: datetime.timedelta(hours=1),
    task_name="campaigns.tasks.send_announcements",
    batch=SEND_BATCH,
    limit=50_000,
)


def dispatch_announcements(*, now: datetime.datetime | None = None) -> int:
    """Hand every pending row with no worker on it to workers; returns how many.

    Run at the end of each fan-out, every minute by the beat, and when a hold ends."""
    return ANNOUNCEMENT_OUTBOX.hand_out(now=now)


def pending_announcements(*, action_id: int) -> QuerySet[AnnouncementDelivery]:
    """The case's announcement rows not yet sent: what a hold of the case stops."""
    return AnnouncementDelivery.objects.filter(
        status=Status.PENDING, announcement__action_id=action_id
    )


def send_announcements(*, delivery_ids: list[int]) -> int:
    """send_announcement for each row of a batch; returns how many this call sent."""
    return sum(send_announcement(delivery_id=delivery_id) for delivery_id in delivery_ids)


def _is_still_wanted(delivery: AnnouncementDelivery) -> bool:
    """Unsubscribing is honoured at once: a row queued before it is skipped."""
    if delivery.supporter.erased_at is not None:
        return False
    announcement = delivery.announcement
    if announcement.kind == Kind.NEW_CASE:
        return delivery.subscription is not None and delivery.subscription.is_active
    return Consent.objects.filter(
        supporter_id=delivery.supporter_id,
        action_id=announcement.action_id,
        kind=Consent.Kind.CASE_UPDATES,
        withdrawn_at__isnull=True,
    ).exists()


def send_announcement(*, delivery_id: int) -> bool:
    """Email one announcement to one supporter; returns whether this call sent it.

    Acts only from pending, and not while the case is held: the claim (pending → sending)
    lets one call through. If sending raises, the row goes back to pending and the error
    propagates, so the task's retry sends it; a row left in sending by a killed worker
    stays there (never twice).
    """
    claimed = (
        AnnouncementDelivery.objects.filter(pk=delivery_id, status=Status.PENDING)
        .exclude(_held())
        .update(status=Status.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    delivery = AnnouncementDelivery.objects.select_related(
        "announcement__action", "supporter", "subscription"
    ).get(pk=delivery_id)
    if not _is_still_wanted(delivery):
        AnnouncementDelivery.objects.filter(pk=delivery_id).update(status=Status.SKIPPED)
        return False
    try:
        _send(delivery)
    except Exception:
        AnnouncementDelivery.objects.filter(pk=delivery_id, status=Status.SENDING).update(
            status=Status.PENDING
        )
        raise
    AnnouncementDelivery.objects.filter(pk=delivery_id).update(
        status=Status.SENT, sent_at=timezone.now()
    )
    logger.info(
        "Announcement #%s sent to %s",
        delivery.announcement_id,
        mask_email(delivery.supporter.email),
    )
    return True


def _send(delivery: AnnouncementDelivery) -> None:
    supporter, announcement = delivery.supporter, delivery.announcement
    action, language = announcement.action, supporter.language
    if announcement.kind == Kind.NEW_CASE:
        subscription = delivery.subscription
        assert subscription is not None  # _is_still_wanted sends new cases to subscriptions only
        unsubscribe = subscription_url(
            subscription=subscription,
            language=language,
            name="campaigns:subscription_unsubscribe",
        )
        manage = subscription_url(subscription=subscription, language=language)
    else:
        unsubscribe = unsubscribe_url(
            supporter_id=supporter.pk, action_id=action.pk, language=language
        )
        manage = ""
    content = announcement.content_in(language)
    send_template(
        template="campaigns/email/announcement",
        to=supporter.email,
        language=language,
        subject=content["subject"],
        unsubscribe=unsubscribe,
        context={
            "name": supporter.name,
            "body": content["body"],
            "action": action,
            "is_new_case": announcement.kind == Kind.NEW_CASE,
            "case_url": case_url(action, language),
            "unsubscribe_url": unsubscribe,
            "manage_url": manage,
            "my_data_url": url_in(language, "campaigns:my_data"),
        },
    )


def unsubscribe_from_case(*, supporter_id: int, action_id: int) -> bool:
    """Withdraw the supporter's case_updates consent on one case, at once.

    Idempotent; returns whether anything changed. Sends already queued are skipped
    (send_announcement checks the consent before sending).
    """
    withdrawn = Consent.objects.filter(
        supporter_id=supporter_id,
        action_id=action_id,
        kind=Consent.Kind.CASE_UPDATES,
        withdrawn_at__isnull=True,
    ).update(withdrawn_at=timezone.now())
    if withdrawn:
        logger.info("Supporter #%s stopped updates on case #%s", supporter_id, action_id)
    return bool(withdrawn)
