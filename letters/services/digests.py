"""Daily digests: one email a day to each target that takes its letters that way.

A digest claims the target's waiting letters the way deliver claims one row (queued →
sending with a lease, acting only on rows still queued and locked for the claim), sends
one email outside any transaction, and marks every letter in it sent with the digest's
Message-ID. The target's next digest time is its policy's next_slot_at, moved in the same
transaction as the claim: a second run the same day finds the digest not yet due. Letters
whose case or official an organizer holds (campaigns.holds) are left out of it, and wait
for the next digest after the hold ends.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from campaigns.models import Target
from campaigns.outbox import claim

from .. import enqueue, tokens
from ..errors import SendErrorKind, sort_send_error
from ..messages import TrackedMessage, display_name, header_safe, letters_domain
from ..models import Delivery, DeliveryPolicy, Letter, fill_placeholders, held, placeholder_values
from .events import Kind, record_letter_events
from .sending import Outcome, esp_message_id, failure_fields, lease_duration

logger = logging.getLogger(__name__)

Status = Delivery.Status
# The hour and size of a digest are settings: PLUMA_DIGEST_HOUR, PLUMA_DIGEST_MAX_LETTERS.


def next_digest_at(now: datetime.datetime) -> datetime.datetime:
    """PLUMA_DIGEST_HOUR on the local day after ``now``."""
    tomorrow = timezone.localtime(now) + datetime.timedelta(days=1)
    return tomorrow.replace(hour=settings.PLUMA_DIGEST_HOUR, minute=0, second=0, microsecond=0)


def digest_message_id(first_delivery_id: int) -> str:
    return f"<d-{tokens.make_token(first_delivery_id)}@{letters_domain()}>"


def due_digest_targets(*, now: datetime.datetime | None = None) -> list[int]:
    """Ids of the digest targets whose digest is due and who have letters waiting."""
    now = now or timezone.now()
    policies = DeliveryPolicy.objects.filter(mode=DeliveryPolicy.Mode.DAILY_DIGEST).exclude(
        next_slot_at__gt=now
    )
    waiting = Delivery.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now).exclude(
        held()
    )
    return list(
        policies.filter(target__in=waiting.values("target"))
        .order_by("target_id")
        .values_list("target_id", flat=True)
    )


def send_due_digests(*, now: datetime.datetime | None = None) -> int:
    """Enqueue one send_digest task per target whose digest is due; returns how many.

    Safe to run as often as the beat likes: send_digest acts only when the digest is due.
    """
    target_ids = due_digest_targets(now=now)
    for target_id in target_ids:
        enqueue.send_digest(target_id)
    return len(target_ids)


def _claim(*, target_id: int, now: datetime.datetime) -> list[int]:
    """Claim up to PLUMA_DIGEST_MAX_LETTERS waiting letters of a due digest; [] if not due."""
    with transaction.atomic():
        # The policy row lock makes two runs for one target take turns; the second finds
        # next_slot_at moved on.
        policy = (
            DeliveryPolicy.objects.select_for_update()
            .filter(target_id=target_id, mode=DeliveryPolicy.Mode.DAILY_DIGEST)
            .first()
        )
        if policy is None or (policy.next_slot_at and policy.next_slot_at > now):
            return []
        waiting = Delivery.objects.filter(
            target_id=target_id, status=Status.QUEUED, next_attempt_at__lte=now
        ).exclude(held())
        waiting.exclude(letter__status=Letter.Status.CONFIRMED).update(
            status=Status.CANCELLED, cancelled_at=now
        )
        # Locked, so a stray deliver task cannot claim a row between this read and the
        # update below, and every id read is an id claimed.
        ids = list(
            waiting.select_for_update(skip_locked=True, of=("self",))
            .order_by("-priority", "queued_at", "pk")
            .values_list("pk", flat=True)[: settings.PLUMA_DIGEST_MAX_LETTERS]
        )
        if not ids:
            return []
        Delivery.objects.filter(pk__in=ids, status=Status.QUEUED).update(
            status=Status.SENDING, sending_at=now, lease_expires_at=now + lease_duration()
        )
        DeliveryPolicy.objects.filter(pk=policy.pk).update(next_slot_at=next_digest_at(now))
    return ids


def _put_back_held(ids: list[int]) -> list[int]:
    """The claimed ids still free to go; those an organizer held meanwhile go back to the
    queue, for the next digest after the hold."""
    stopped = Delivery.objects.filter(pk__in=ids, status=Status.SENDING).filter(held())
    if back := set(stopped.values_list("pk", flat=True)):
        Delivery.objects.filter(pk__in=back, status=Status.SENDING).update(
            status=Status.QUEUED, lease_expires_at=None
        )
    return [pk for pk in ids if pk not in back]


def _supporter_line(letter: Letter) -> str:
    """Name, city and country: never the supporter's email or postal address."""
    country = letter.country.name if letter.country else ""
    place = ", ".join(part for part in (letter.city, country) if part)
    return f"{letter.name}, {place}" if place else letter.name


def build_digest_message(*, target: Target, deliveries: list[Delivery]) -> TrackedMessage:
    """One email with every letter of the digest, in the target's language."""
    count = len(deliveries)
    with translation.override(target.language):
        subject = ngettext(
            "%(count)d letter from supporters of %(organisation)s",
            "%(count)d letters from supporters of %(organisation)s",
            count,
        ) % {"count": count, "organisation": settings.ORGANISATION_NAME}
        parts = [
            f"{target.salutation}:",
            gettext(
                "Here are the letters supporters of %(organisation)s wrote to you since the "
                "last digest. Each was written and confirmed by the person who signs it; "
                "they come together once a day so that your office receives one email "
                "instead of many."
            )
            % {"organisation": settings.ORGANISATION_NAME},
        ]
        for number, delivery in enumerate(deliveries, start=1):
            letter = delivery.letter
            values = placeholder_values(target=target, writer=letter, case=letter.case)
            heading = gettext("Letter %(number)d of %(count)d, on UA %(case)s") % {
                "number": number,
                "count": count,
                "case": letter.case.number,
            }
            parts.append(
                "\n".join(
                    [
                        "-" * 60,
                        heading,
                        gettext("From: %(supporter)s") % {"supporter": _supporter_line(letter)},
                        gettext("Subject: %(subject)s")
                        % {"subject": header_safe(fill_placeholders(letter.subject, values))},
                        "",
                        fill_placeholders(letter.body, values).strip(),
                    ]
                )
            )
    first = deliveries[0]
    message = TrackedMessage(
        subject=header_safe(subject),
        body="\n\n".join(parts) + "\n",
        from_email=f"{display_name(settings.ORGANISATION_NAME)} <{settings.LETTERS_FROM_EMAIL}>",
        to=[f"{display_name(target.name)} <{header_safe(target.email)}>"],
        # A reply routes to the first letter; its siblings share the digest's Message-ID.
        reply_to=[tokens.reply_address(first.pk)],
        headers={"Message-ID": digest_message_id(first.pk)},
    )
    message.metadata = {"digest_of": str(first.pk), "letters": str(count)}
    message.tags = ["digest"]
    return message


def send_digest(*, target_id: int, now: datetime.datetime | None = None) -> Outcome:
    """Send the target's daily digest if it is due and letters wait; else change nothing.

    Idempotent within a day (the digest's time moves on with the claim). Errors are sorted
    as for single letters: permanent ones fail every letter in it and tell the supporters,
    transient ones put them back for the next run, an uncertain one marks them sent.
    """
    now = now or timezone.now()
    ids = _claim(target_id=target_id, now=now)
    # A hold placed since the claim takes its letters back out of the digest.
    ids = _put_back_held(ids) if ids else ids
    if not ids:
        return Outcome.SKIPPED
    target = Target.objects.get(pk=target_id)
    deliveries = list(
        Delivery.objects.filter(pk__in=ids)
        .select_related("letter__supporter", "letter__case")
        .order_by("-priority", "queued_at", "pk")
    )
    if not target.email:
        _fail_all(ids=ids, code=Delivery.ErrorCode.NO_EMAIL, error="No email address")
        return Outcome.FAILED
    message = build_digest_message(target=target, deliveries=deliveries)
    try:
        message.send()
    except Exception as exc:  # noqa: BLE001 -- every error is sorted, none may lose a letter
        return _record_digest_error(target_id=target_id, ids=ids, first_id=ids[0], exc=exc)
    _record_digest_sent(ids=ids, first_id=deliveries[0].pk, esp_id=esp_message_id(message))
    logger.info("Digest of %d letters sent to target %s", len(ids), target_id)
    return Outcome.SENT


def _record_digest_sent(*, ids: list[int], first_id: int, esp_id: str, error: str = "") -> None:
    with transaction.atomic():
        # From queued too: the sweeper may have taken a row back while the ESP was slow.
        sent = claim(
            Delivery.objects.filter(pk__in=ids, status__in=[Status.SENDING, Status.QUEUED]),
            status=Status.SENT,
            sent_at=timezone.now(),
            esp_message_id=esp_id,
            message_id=digest_message_id(first_id),
            lease_expires_at=None,
            attempts=F("attempts") + 1,
            is_uncertain=bool(error),
            error=error[:2000],
            error_code="",
        )
        record_letter_events(
            kind=Kind.LETTER_SENT, delivery_ids=sent, status=Status.SENT, channel="digest"
        )


def _fail_all(*, ids: list[int], code: str, error: str) -> None:
    failed = list(
        Delivery.objects.filter(pk__in=ids, status=Status.SENDING).values_list("pk", flat=True)
    )
    Delivery.objects.filter(pk__in=failed).update(**failure_fields(code=code, error=error))
    for delivery_id in failed:
        enqueue.tell_supporter_of_failure(delivery_id)


def _record_digest_error(
    *, target_id: int, ids: list[int], first_id: int, exc: Exception
) -> Outcome:
    kind, code, text = sort_send_error(exc)
    if kind == SendErrorKind.UNCERTAIN:
        _record_digest_sent(ids=ids, first_id=first_id, esp_id="", error=text)
        logger.warning("Digest to target %s may or may not have gone: %s", target_id, text)
        return Outcome.UNCERTAIN
    if kind == SendErrorKind.PERMANENT:
        _fail_all(ids=ids, code=code, error=text)
        return Outcome.FAILED
    # Back to the queue, and the digest due again: the next hourly run tries once more.
    with transaction.atomic():
        Delivery.objects.filter(pk__in=ids, status=Status.SENDING).update(
            status=Status.QUEUED,
            lease_expires_at=None,
            attempts=F("attempts") + 1,
            error=text[:2000],
        )
        DeliveryPolicy.objects.filter(target_id=target_id).update(next_slot_at=timezone.now())
    logger.info("Digest to target %s: transient error, retry next run: %s", target_id, text)
    return Outcome.RETRY
