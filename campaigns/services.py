"""Every write on a case that has side effects: opening, deadlines, follow-ups, closing.

Telling supporters (announcements), subscriptions, supporters' data and the organizers'
holds live in their own modules (announcements.py, subscriptions.py, privacy.py,
holds.py) and are re-exported here.
"""

import datetime
import logging

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from . import events, holds
from .announcements import (
    announce,
    dispatch_announcements,
    fan_out_announcement,
    send_announcement,
    send_announcements,
    unsubscribe_from_case,
)
from .email_requests import answer_email_requests, dispatch_email_requests
from .holds import (
    drop_held,
    held_counts,
    hold_case,
    hold_official,
    resume_case,
    resume_official,
    send_held,
)
from .mail import read_subscription_token, read_unsubscribe_token
from .models import Announcement, DeadlineExtension, FollowUp, UrgentAction
from .privacy import (
    apply_retention,
    erase_supporter,
    export_data,
    open_data_link,
    request_data_link,
    send_data_link,
    withdraw_consent,
)
from .signals import action_changed
from .subscriptions import (
    cancel_subscription,
    change_subscription,
    confirm_subscription,
    send_due_weekly_digests,
    send_subscription_confirmation,
    send_weekly_digest,
    subscribe,
    subscription_for,
)

__all__ = [
    "announce",
    "answer_email_requests",
    "apply_retention",
    "cancel_subscription",
    "change_subscription",
    "close_action",
    "close_expired_actions",
    "dispatch_announcements",
    "dispatch_email_requests",
    "confirm_subscription",
    "drop_held",
    "erase_supporter",
    "export_data",
    "extend_deadline",
    "fan_out_announcement",
    "held_counts",
    "hold_case",
    "hold_official",
    "open_action",
    "open_data_link",
    "publish_follow_up",
    "reopen_action",
    "request_data_link",
    "resume_case",
    "resume_official",
    "save_action",
    "send_announcement",
    "send_announcements",
    "send_data_link",
    "send_due_weekly_digests",
    "send_held",
    "send_subscription_confirmation",
    "send_weekly_digest",
    "subscribe",
    "unsubscribe_by_mail",
    "unsubscribe_from_case",
    "withdraw_consent",
]

Kind = Announcement.Kind

logger = logging.getLogger(__name__)


def _tell_action_changed(action: UrgentAction) -> None:
    # UPDATEs send no post_save: listeners (the page cache) hear it here, after commit.
    action_id = action.pk
    transaction.on_commit(lambda: action_changed.send(sender=UrgentAction, action_id=action_id))


def open_action(*, action: UrgentAction) -> bool:
    """Open a draft case. Acts only from draft; returns whether it changed anything.

    On commit, subscribers who want cases as they happen are told (a new_case announcement).
    """
    now = timezone.now()
    changed = UrgentAction.objects.filter(pk=action.pk, status=UrgentAction.Status.DRAFT).update(
        status=UrgentAction.Status.OPEN, opened_at=now, updated_at=now
    )
    if changed:
        action.refresh_from_db(fields=["status", "opened_at"])
        logger.info("Opened UA %s", action.number)
        _tell_action_changed(action)
        transaction.on_commit(
            lambda: announce(action=action, kind=Kind.NEW_CASE, reference=action.pk)
        )
    return bool(changed)


def extend_deadline(
    *,
    action: UrgentAction,
    new_deadline: datetime.date,
    reason: str = "",
    by: User | AnonymousUser | None = None,
    follow_up: FollowUp | None = None,
) -> DeadlineExtension | None:
    """Move a case's deadline and keep the old one in its history.

    Never changes the status: a closed case whose deadline moves into the future stays
    closed (reopening is an editor's choice, or a follow-up's). Returns None when the
    deadline does not change; raises ValidationError for a deadline before the issue date.
    An extension by an editor (``by``) that is not part of a follow-up is announced to the
    case's supporters on commit; a follow-up announces itself.
    """
    with transaction.atomic():
        locked = UrgentAction.objects.select_for_update().get(pk=action.pk)
        if new_deadline < locked.issued_on:
            raise ValidationError(_("The deadline cannot be before the issue date."))
        if locked.deadline == new_deadline:
            return None
        extension = DeadlineExtension.objects.create(
            action=locked,
            previous_deadline=locked.deadline,
            new_deadline=new_deadline,
            reason=reason,
            follow_up=follow_up,
            extended_by=by if by and by.is_authenticated else None,
        )
        UrgentAction.objects.filter(pk=action.pk).update(
            deadline=new_deadline, updated_at=timezone.now()
        )
    action.deadline = new_deadline
    logger.info("UA %s deadline moved to %s", action.number, new_deadline)
    _tell_action_changed(action)
    if follow_up is None and by is not None and by.is_authenticated:
        transaction.on_commit(
            lambda: announce(action=action, kind=Kind.DEADLINE_EXTENDED, reference=extension.pk)
        )
    return extension


def close_action(*, action: UrgentAction, outcome_kind: str, outcome: str = "") -> bool:
    """Close an open (or draft) case with its outcome. Acts only on cases not yet closed.

    Returns whether it changed anything; raises ValidationError without an outcome kind.
    The letters left are held (letters_held_at) until an organizer sends or drops them
    (campaigns.holds); no letter or signature is confirmed on the case from now on. On
    commit the outcome is announced to the case's supporters, unless the case merely ran
    out of time (the automatic close). Records a case.closed event if anyone wants it.
    """
    if not outcome_kind or outcome_kind not in UrgentAction.OutcomeKind.values:
        raise ValidationError(_("Choose an outcome to close the case."))
    now = timezone.now()
    with transaction.atomic():
        changed = (
            UrgentAction.objects.filter(pk=action.pk)
            .exclude(status=UrgentAction.Status.CLOSED)
            .update(
                status=UrgentAction.Status.CLOSED,
                outcome_kind=outcome_kind,
                outcome=outcome,
                closed_at=now,
                letters_held_at=now,
                updated_at=now,
            )
        )
        if changed:
            events.record(
                kind=events.Kind.CASE_CLOSED,
                case_id=action.pk,
                object_id=action.pk,
                data={"case": {"status": UrgentAction.Status.CLOSED, "outcome_kind": outcome_kind}},
            )
    if changed:
        action.refresh_from_db(
            fields=["status", "outcome_kind", "outcome", "closed_at", "letters_held_at"]
        )
        logger.info("Closed UA %s (%s)", action.number, outcome_kind)
        _tell_action_changed(action)
        if outcome_kind != UrgentAction.OutcomeKind.DEADLINE_PASSED:
            # A case may close, reopen and close again: each close is its own news.
            reference = f"{action.pk}:{int(now.timestamp())}"
            transaction.on_commit(
                lambda: announce(action=action, kind=Kind.CLOSED, reference=reference)
            )
    return bool(changed)


def reopen_action(*, action: UrgentAction) -> bool:
    """Reopen a closed case, e.g. after a deadline extension. Acts only from closed.

    The outcome kind is cleared (the case is no longer concluded); its text is kept. The
    letters its close held go again (unless an organizer holds the case).
    """
    closed = UrgentAction.objects.filter(pk=action.pk, status=UrgentAction.Status.CLOSED)
    with transaction.atomic():
        letters_held = closed.filter(letters_held_at__isnull=False).exists()
        changed = closed.update(
            status=UrgentAction.Status.OPEN,
            closed_at=None,
            outcome_kind="",
            letters_held_at=None,
            updated_at=timezone.now(),
        )
        if changed:
            action.refresh_from_db(
                fields=["status", "closed_at", "outcome_kind", "letters_held_at", "held_at"]
            )
            if letters_held:
                holds.release_letters(action=action)
    if changed:
        _tell_action_changed(action)
    return bool(changed)


def close_expired_actions(*, today: datetime.date | None = None) -> int:
    """Close every open case whose deadline has passed. Idempotent; returns how many closed."""
    closed = 0
    for action in UrgentAction.objects.past_deadline(today):
        # close_action re-checks the state, so a case closed by an editor meanwhile is skipped.
        closed += close_action(action=action, outcome_kind=UrgentAction.OutcomeKind.DEADLINE_PASSED)
    return closed


def save_action(
    *,
    action: UrgentAction,
    previous: UrgentAction | None,
    by: User | AnonymousUser | None = None,
    reason: str = "",
) -> UrgentAction:
    """Save a case edited in the admin, turning field changes into their transitions.

    A changed deadline becomes a recorded extension; a change of status goes through
    open_action / close_action / reopen_action so timestamps and history stay right.
    ``previous`` is the case as stored before the edit (None for a new case). Raises
    ValidationError for a change no transition allows (back to draft, closing without
    an outcome, a deadline before the issue date); the caller's transaction undoes the
    partial save.
    """
    target_status = action.status
    if (
        previous is not None
        and previous.status != UrgentAction.Status.DRAFT
        and target_status == UrgentAction.Status.DRAFT
    ):
        raise ValidationError(_("A case that has been opened cannot go back to draft."))
    if target_status == UrgentAction.Status.CLOSED and not action.outcome_kind:
        raise ValidationError(_("Choose an outcome to close the case."))
    outcome_kind = action.outcome_kind
    with transaction.atomic():
        if previous is None:
            action.status = UrgentAction.Status.DRAFT
            action.opened_at = action.closed_at = None
            action.save()
        else:
            new_deadline = action.deadline
            # Status, timestamps, deadline and holds change only through their transitions.
            action.status = previous.status
            action.deadline = previous.deadline
            action.closed_at = previous.closed_at
            action.opened_at = previous.opened_at
            action.held_at, action.held_by_id = previous.held_at, previous.held_by_id
            action.hold_reason = previous.hold_reason
            action.letters_held_at = previous.letters_held_at
            action.save()
            extend_deadline(action=action, new_deadline=new_deadline, reason=reason, by=by)
        if target_status == UrgentAction.Status.OPEN:
            if action.is_closed:
                reopen_action(action=action)
                if outcome_kind:
                    # The editor reopened the case and chose an interim outcome in one go.
                    UrgentAction.objects.filter(pk=action.pk).update(outcome_kind=outcome_kind)
                    action.outcome_kind = outcome_kind
            else:
                open_action(action=action)
        elif target_status == UrgentAction.Status.CLOSED:
            close_action(action=action, outcome_kind=action.outcome_kind, outcome=action.outcome)
    return action


def publish_follow_up(*, follow_up: FollowUp, by: User | AnonymousUser | None = None) -> FollowUp:
    """Save a follow-up: number a new one in its case's sequence (1, 2, 3…) and apply its
    new deadline, reopening a closed case whose new deadline is still ahead.

    An edit applies the deadline only when the follow-up's own new deadline changed, so
    correcting an old follow-up's text never moves the case back to an old deadline.
    Raises ValidationError for a new deadline before the case's issue date. A new
    follow-up is announced, on commit, to everyone who agreed to updates on the case.
    """
    is_new = follow_up.pk is None
    with transaction.atomic():
        # Locking the case serialises numbering: two editors never get the same number.
        action = UrgentAction.objects.select_for_update().get(pk=follow_up.action_id)
        if follow_up.new_deadline and follow_up.new_deadline < action.issued_on:
            raise ValidationError(_("The new deadline cannot be before the case's issue date."))
        if follow_up.pk is None:
            last = action.follow_ups.aggregate(last=Max("sequence"))["last"] or 0
            follow_up.sequence = last + 1
            deadline_changed = bool(follow_up.new_deadline)
        else:
            stored = FollowUp.objects.values_list("new_deadline", flat=True).get(pk=follow_up.pk)
            deadline_changed = bool(follow_up.new_deadline) and follow_up.new_deadline != stored
        follow_up.save()
        new_deadline = follow_up.new_deadline
        if deadline_changed and new_deadline is not None and new_deadline != action.deadline:
            extend_deadline(
                action=action,
                new_deadline=new_deadline,
                reason=str(follow_up),
                by=by,
                follow_up=follow_up,
            )
            if action.is_closed and new_deadline >= timezone.localdate():
                reopen_action(action=action)
    if is_new:
        # On commit: the texts saved with the follow-up are then there to be sent.
        transaction.on_commit(
            lambda: announce(action=action, kind=Kind.FOLLOW_UP, reference=follow_up.pk)
        )
    return follow_up


def unsubscribe_by_mail(*, subject: str) -> bool:
    """Act on a mail to the List-Unsubscribe mailto: address (PLUMA_UNSUBSCRIBE_EMAIL).

    Its subject is "unsubscribe <token>", the token of the one-click link in the same
    email: updates on one case, or a subscription to new cases. Returns whether the
    token was one of ours; acting on it twice changes nothing more.
    """
    word, _space, token = subject.strip().partition(" ")
    if word.lower() != "unsubscribe" or not token.strip():
        return False
    token = token.strip()
    if case := read_unsubscribe_token(token):
        unsubscribe_from_case(supporter_id=case[0], action_id=case[1])
        return True
    if (read := read_subscription_token(token)) and (
        subscription := subscription_for(subscription_id=read[0], token=read[1])
    ):
        cancel_subscription(subscription=subscription)
        return True
    return False
