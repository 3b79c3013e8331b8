"""Signing and confirming a petition, and the outboxes of the emails that go with them
(the emails themselves: mail.py)."""

import dataclasses
import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns import defences, email_requests, events, supporters
from campaigns.dispatch import Dispatch
from campaigns.emails import email_domain
from campaigns.links import LinkNotCounted, LinkTooLate
from campaigns.models import Consent, UrgentAction
from campaigns.outbox import Outbox, claim

from .. import counts, enqueue, tokens
from ..emails import canonical_email
from ..models import FLAGGED_BY_DEFENCES, Signature
from . import records
from .mail import send_already_signed, send_confirmation

logger = logging.getLogger(__name__)

# Caps on emails one address can be sent about one case, so the forms cannot be used to
# flood someone's inbox.
MAX_NOTICES = 3
MAX_LINKS = 5


class SigningClosed(ValidationError):
    """The case does not take signatures (draft or closed)."""


@dataclasses.dataclass(frozen=True)
class SignResult:
    """What the view needs; deliberately the same shape for a first and a repeated sign-up:
    the signature's id, and whether this sign-up wrote it (``signature`` is then the row
    written; a repeat reads nothing more, so that it takes no longer)."""

    signature_id: int
    is_new: bool
    signature: Signature | None = None


# --- the confirmation emails' outbox ------------------------------------------------------

# A burst of sign-ups is gathered into one dispatch a second: a Celery task per signature
# cost the web process more CPU than writing the signature (bench/README.md).
CONFIRMATIONS = Dispatch("petitions.tasks.dispatch_confirmations")
# Confirmation emails handed to a worker go this many to a task.
CONFIRMATION_BATCH = 50
# A due email handed to a worker this long ago without being sent is handed out again.
CONFIRMATION_LEASE = datetime.timedelta(minutes=10)


# Signatures whose first confirmation email is due, handed to workers CONFIRMATION_BATCH to
# a task; one handed out CONFIRMATION_LEASE ago and still unsent is handed out again.
CONFIRMATION_OUTBOX = Outbox(
    model=Signature,
    due=lambda now: Q(link_due_at__isnull=False, status=Signature.Status.PENDING),
    handed_out="link_enqueued_at",
    lease=lambda: CONFIRMATION_LEASE,
    task_name="petitions.tasks.send_confirmations",
    batch=CONFIRMATION_BATCH,
    order_by=("link_due_at",),
)


def request_confirmation_dispatch() -> None:
    CONFIRMATIONS.request()


def due_confirmations(*, now: datetime.datetime) -> list[int]:
    """Pending signatures whose first confirmation email is due and with no worker on it."""
    return list(
        CONFIRMATION_OUTBOX.waiting(now=now)
        .order_by("link_due_at")
        .values_list("pk", flat=True)[: CONFIRMATION_OUTBOX.limit]
    )


# "You have already signed" notices, due from a repeated sign-up, the same way.
NOTICE_OUTBOX = Outbox(
    model=Signature,
    due=lambda now: Q(notice_due_at__isnull=False),
    handed_out="notice_enqueued_at",
    lease=lambda: CONFIRMATION_LEASE,
    task_name="petitions.tasks.send_notices",
    batch=CONFIRMATION_BATCH,
    order_by=("notice_due_at",),
)


def dispatch_confirmations(*, now: datetime.datetime | None = None) -> int:
    """Hand the due confirmation emails and "already signed" notices to workers,
    CONFIRMATION_BATCH to a task; returns how many. Run a second after sign-ups ask for
    it, and every minute by the beat."""
    return CONFIRMATION_OUTBOX.hand_out(now=now) + NOTICE_OUTBOX.hand_out(now=now)


def send_due_notices(*, signature_ids: list[int]) -> int:
    """Send the "already signed" notices still due among these; returns how many went.

    Each is claimed before it is sent (its due mark cleared, its count raised), so a
    retried batch sends nothing twice, and no address gets more than MAX_NOTICES.
    """
    claimed = claim(
        Signature.objects.filter(
            pk__in=signature_ids, notice_due_at__isnull=False, notices_sent__lt=MAX_NOTICES
        ),
        notice_due_at=None,
        notices_sent=F("notices_sent") + 1,
    )
    return sum(send_already_signed(signature_id=signature_id) for signature_id in sorted(claimed))


def send_due_confirmations(*, signature_ids: list[int]) -> int:
    """Send the confirmation emails still due among these; returns how many were sent.

    A retried batch sends nothing twice: each email clears its due mark once it went.
    """
    still_due = Signature.objects.filter(pk__in=signature_ids, link_due_at__isnull=False)
    return sum(
        send_confirmation(signature_id=signature_id)
        for signature_id in still_due.order_by("pk").values_list("pk", flat=True)
    )


def sign(
    *,
    action: UrgentAction,
    name: str,
    email: str,
    country: str,
    language: str,
    postal_code: str = "",
    city: str = "",
    comment: str = "",
    source: str = "",
    consent_text: str = "",
    share_name_text: str = "",
    page_revision_id: int | None = None,
    flag_reason: str = "",
    confirm_by_email: bool = True,
    network: str = "",
) -> SignResult:
    """Record a pending signature; its confirmation email is due, and on commit a dispatch
    is requested that sends it a second or so later (campaigns.dispatch).

    With ``confirm_by_email=False`` no email at all is queued: another confirmation
    covers it (a letter written at the same time: actions.services.write_letter).

    A second sign-up with the same canonical email on the same case changes nothing but
    marks a short "you have already signed" email due (at most MAX_NOTICES per case), in
    the same one statement and with the same dispatch as a first one: the two take the
    same time, so nobody can learn from the answer whether an address signed.
    `consent_text` is the exact label of the ticked consent box, or '' if not ticked;
    `share_name_text` likewise for passing the name on to the recipient of a handover.
    Raises SigningClosed unless the case is open. A sign-up with a `flag_reason`, or from
    a blocked email domain, is stored flagged (never counted) and sends no email.
    ``network`` is the network the post came from (campaigns.defences.client_network),
    kept with the email's domain as the signature's source; never the address itself.
    """
    if not action.is_open:
        raise SigningClosed(_("This case is closed and no longer takes signatures."))
    canonical = canonical_email(email)
    if not flag_reason and defences.is_blocked_email(canonical):
        flag_reason = defences.Flag.BLOCKED_DOMAIN
    signature = Signature(
        action=action,
        name=name,
        country=country,
        postal_code=postal_code,
        city=city,
        comment=comment,
        language=language,
        source=source[:100],
        is_flagged=bool(flag_reason),
        flag_reason=flag_reason[:100],
        network=network,
        email_domain=email_domain(canonical),
        nonce=tokens.new_nonce(),
        links_sent=1,
        # The confirmation email's outbox entry, written with the signature itself.
        link_due_at=timezone.now() if confirm_by_email and not flag_reason else None,
    )
    notify = confirm_by_email and not flag_reason
    now = timezone.now()
    recorded = records.record_sign_up(
        notice_due_at=now if notify else None,
        max_notices=MAX_NOTICES,
        supporter=supporters.new_supporter(email=email, language=language),
        signature=signature,
        consents=supporters.consents(
            action=action,
            texts={
                Consent.Kind.CASE_UPDATES: consent_text,
                Consent.Kind.SHARE_NAME: share_name_text,
            },
            language=language,
            page_revision_id=page_revision_id,
        ),
    )
    if recorded.supporter_id is None:
        # Closed between the page's copy of the case and the write.
        raise SigningClosed(_("This case is closed and no longer takes signatures."))
    if notify:
        # robust: the signature is written whatever the broker or cache says; the beat
        # runs the same dispatch every minute.
        transaction.on_commit(request_confirmation_dispatch, robust=True)
    if recorded.signature_id is None:
        assert recorded.earlier_id is not None  # the signature it conflicted with
        return SignResult(signature_id=recorded.earlier_id, is_new=False)
    if flag_reason:
        # Not counted, so nothing to confirm; and no email, so bots cannot use us to
        # flood someone's inbox.
        logger.info("Signature #%s on UA %s flagged: %s", signature.pk, action.number, flag_reason)
    logger.info("Signature #%s on UA %s pending", signature.pk, action.number)
    return SignResult(signature_id=signature.pk, is_new=True, signature=signature)


def confirm_signature(*, token: str) -> Signature:
    """Confirm the signature a link names. Acts only from pending, on an open case, and
    never on a signature the defences flagged; each link works once.

    Raises tokens.LinkInvalid, LinkExpired or LinkUsed; LinkTooLate when the case closed
    before the link was used: a signature counts once it is confirmed, and the case's
    count was settled when it closed, so the signature is not added (it stays pending,
    and a reopened case takes it); and LinkNotCounted for a flagged signature, which never
    counts (its owner gets told how to sign again instead: tell_not_counted).
    """
    signature_id, nonce = tokens.read_token(token)
    signatures = Signature.objects.filter(pk=signature_id, nonce=nonce)
    signature = _confirm(signatures)
    if signature is None:
        still_pending = signatures.filter(status=Signature.Status.PENDING)
        if still_pending.filter(
            FLAGGED_BY_DEFENCES, action__in=UrgentAction.objects.open()
        ).exists():
            raise LinkNotCounted
        if still_pending.exists():
            raise LinkTooLate
        raise tokens.LinkUsed
    return signature


def confirm_pending_signature(*, action_id: int, supporter_id: int) -> Signature | None:
    """Confirm the supporter's pending signature on the case, if there is one and the
    case is open; for a confirmation that proved the same address (the letter written
    with it). Returns the signature this call confirmed, else None."""
    return _confirm(Signature.objects.filter(action_id=action_id, supporter_id=supporter_id))


def _confirm(signatures: QuerySet[Signature]) -> Signature | None:
    """pending → confirmed for the one signature of ``signatures``, and counted; what was
    signed becomes the supporter's own, and a signature.confirmed event is recorded if
    anyone wants it (campaigns.events). None when it was not pending, was flagged by the
    defences (it would never count), or its case is no longer open (a sub-select, so the
    claim's UPDATE keeps its own condition).

    A signature an organizer invalidated is confirmed but not counted: reversing the
    invalidation counts it (petitions.services.invalidation). The claim holds its row,
    so an invalidation racing with it waits, then finds it confirmed."""
    with transaction.atomic():
        ids = claim(
            signatures.filter(
                ~FLAGGED_BY_DEFENCES,
                status=Signature.Status.PENDING,
                action__in=UrgentAction.objects.open(),
            ),
            status=Signature.Status.CONFIRMED,
            confirmed_at=timezone.now(),
            nonce="",
        )
        if not ids:
            return None
        signature = Signature.objects.select_related("action").get(pk=ids[0])
        if not signature.is_flagged:
            counts.add_confirmed(action_id=signature.action_id)
        supporters.confirm_details(
            supporter_id=signature.supporter_id,
            name=signature.name,
            language=signature.language,
            country=signature.country,
            city=signature.city,
            postal_code=signature.postal_code,
        )
        events.record(
            kind=events.Kind.SIGNATURE_CONFIRMED,
            case_id=signature.action_id,
            supporter_id=signature.supporter_id,
            object_id=signature.pk,
            data={
                "signature": {
                    "id": signature.pk,
                    "status": Signature.Status.CONFIRMED,
                    "is_counted": not signature.is_flagged,
                }
            },
        )
    logger.info("Signature #%s on UA %s confirmed", signature.pk, signature.action.number)
    return signature


NEW_LINK = "petitions.new_link"


def resend_confirmation(*, action: UrgentAction, email: str) -> None:
    """Ask for a fresh confirmation link for this address's pending signature on the case.

    Only writes the request (campaigns.email_requests): the answer cannot tell, in content
    or in time, whether an address signed.
    """
    email_requests.request_email(kind=NEW_LINK, email=email, case_id=action.pk)


def answer_new_link_request(*, email: str, case_id: int | None, language: str) -> None:
    """A worker's answer to a request: a new link if the address has a pending signature
    on the case and fewer than MAX_LINKS were sent (for one the defences flagged, the
    email that says it cannot count: send_confirmation), else nothing."""
    pending = Signature.objects.filter(
        action_id=case_id,
        supporter__email_canonical=canonical_email(email),
        status=Signature.Status.PENDING,
        links_sent__lt=MAX_LINKS,
    ).values_list("pk", flat=True)
    for signature_id in pending:
        if Signature.objects.filter(pk=signature_id, links_sent__lt=MAX_LINKS).update(
            links_sent=F("links_sent") + 1
        ):
            enqueue.send_confirmation(signature_id)


def forget_uncounted(*, action: UrgentAction, email: str) -> None:
    """Remove this address's pending signature on the case if the defences flagged it: it
    never counts, and would stand in the way of a sign-up that passed them (one made with
    a letter: actions.services.write_letter). One statement, whether there is one or not."""
    Signature.objects.filter(
        FLAGGED_BY_DEFENCES,
        action=action,
        supporter__email_canonical=canonical_email(email),
        status=Signature.Status.PENDING,
    ).delete()
