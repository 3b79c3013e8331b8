"""The stop button: an organizer holds a case or an official, and chooses what becomes of the
letters a closed case held (DESIGN §6).

A hold is state on the case (UrgentAction.held_at, held_by, hold_reason) or on the
official (Target.held_at, …), and nothing else: every outbox reads it in its *due*
condition and every claim in its conditional UPDATE, so a held row is simply never handed
out or claimed. Holding a case stops its queued, paced, digest and bundle letters and its
pending announcements; holding an official stops the letters to it on every case (news
goes to supporters, not officials, so there is nothing else to stop). Nothing is written
to the rows, so a hold takes effect at once whatever their number, and a row handed to a
worker the instant before is refused when the worker claims it.

Closing a case holds the letters left (close_action sets UrgentAction.letters_held_at):
they wait until an organizer sends them (send_held) or drops them (drop_held), and
reopening the case lets them go. A close holds no announcement: its own news must go out.

The letters are a higher app's, so letters registers a `HeldLetters` at start-up
(LettersConfig.ready), as the privacy providers are registered, and campaigns counts,
releases and drops them through it.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING, Protocol

from django.db import transaction
from django.utils import timezone

from . import enqueue
from .announcements import pending_announcements
from .models import Target, UrgentAction

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

REASON_LENGTH = 300


class HeldLetters(Protocol):
    """What letters does for campaigns' holds; ``action_id`` or ``target_id`` names whose."""

    def count(self, *, action_id: int | None = None, target_id: int | None = None) -> int:
        """The queued letters of the case, or to the official: one query."""
        ...

    def release(self, *, action_id: int | None = None, target_id: int | None = None) -> int:
        """A hold on them has ended (in this transaction): plan their pace afresh and ask
        for a dispatch on commit, so they go at once and in order. Returns how many."""
        ...

    def drop(self, *, action_id: int) -> int:
        """Cancel the case's queued letters for good; returns how many."""
        ...


class _NoLetters:
    """Before letters registers (a process that never loads it): nothing to count or move."""

    def count(self, *, action_id: int | None = None, target_id: int | None = None) -> int:
        return 0

    def release(self, *, action_id: int | None = None, target_id: int | None = None) -> int:
        return 0

    def drop(self, *, action_id: int) -> int:
        return 0


_letters: HeldLetters = _NoLetters()


def register(letters: HeldLetters) -> None:
    global _letters
    _letters = letters


@dataclasses.dataclass(frozen=True)
class Held:
    """What a hold stops (or, with none, what one would): letters and announcements."""

    letters: int
    announcements: int = 0


def held_counts(*, action: UrgentAction | None = None, target: Target | None = None) -> Held:
    """The case's queued letters and pending announcements, or the official's queued
    letters: what a hold there stops. One query each."""
    if action is not None:
        return Held(
            letters=_letters.count(action_id=action.pk),
            announcements=pending_announcements(action_id=action.pk).count(),
        )
    assert target is not None, "held_counts needs a case or an official"
    return Held(letters=_letters.count(target_id=target.pk))


def _reason(reason: str) -> str:
    return " ".join(reason.split())[:REASON_LENGTH]


def hold_case(*, action: UrgentAction, by: User, reason: str = "") -> bool:
    """Stop at once everything of a case that waits to go: its letters (one by one, paced,
    in digests or bundles) and its pending announcements. Acts only on a case not held;
    returns whether it changed anything. Logged with who and why."""
    now, reason = timezone.now(), _reason(reason)
    held = UrgentAction.objects.filter(pk=action.pk, held_at__isnull=True).update(
        held_at=now, held_by=by, hold_reason=reason, updated_at=now
    )
    if held:
        action.held_at, action.held_by, action.hold_reason = now, by, reason
        logger.info("UA %s held by %s: %s", action.number, by.get_username(), reason or "-")
    return bool(held)


def resume_case(*, action: UrgentAction, by: User) -> bool:
    """End a hold on a case: what it stopped goes at once, in order, under the normal pace.
    Acts only on a held case; returns whether it changed anything.

    The letters are released (letters re-plans their pace and requests a dispatch on
    commit), unless the case closed meanwhile and holds them for an organizer's choice;
    the pending announcements are handed out on commit. Logged with who.
    """
    with transaction.atomic():
        resumed = UrgentAction.objects.filter(pk=action.pk, held_at__isnull=False).update(
            held_at=None, held_by=None, hold_reason="", updated_at=timezone.now()
        )
        if not resumed:
            return False
        action.refresh_from_db(fields=["held_at", "held_by", "hold_reason", "letters_held_at"])
        letters = 0 if action.has_letters_held else _letters.release(action_id=action.pk)
        # Rows handed out before the hold were refused by their workers: hand them out anew.
        pending_announcements(action_id=action.pk).update(handed_out_at=None)
        enqueue.dispatch_announcements()
    logger.info(
        "UA %s resumed by %s (%d letters released)", action.number, by.get_username(), letters
    )
    return True


def hold_official(*, target: Target, by: User, reason: str = "") -> bool:
    """Stop at once every letter to an official, on every case: one by one, paced, in a
    digest or a bundle. Acts only on an official not held; returns whether it changed
    anything. Logged with who and why."""
    now, reason = timezone.now(), _reason(reason)
    held = Target.objects.filter(pk=target.pk, held_at__isnull=True).update(
        held_at=now, held_by=by, hold_reason=reason, updated_at=now
    )
    if held:
        target.held_at, target.held_by, target.hold_reason = now, by, reason
        logger.info("Target %s held by %s: %s", target.pk, by.get_username(), reason or "-")
    return bool(held)


def resume_official(*, target: Target, by: User) -> bool:
    """End a hold on an official: the letters to it go at once, in order, under its pace
    (those of a case that is itself held wait for that case). Acts only on a held
    official; returns whether it changed anything. Logged with who."""
    with transaction.atomic():
        resumed = Target.objects.filter(pk=target.pk, held_at__isnull=False).update(
            held_at=None, held_by=None, hold_reason="", updated_at=timezone.now()
        )
        if not resumed:
            return False
        target.held_at, target.held_by, target.hold_reason = None, None, ""
        letters = _letters.release(target_id=target.pk)
    logger.info(
        "Target %s resumed by %s (%d letters released)", target.pk, by.get_username(), letters
    )
    return True


def release_letters(*, action: UrgentAction) -> int:
    """Let a case's letters go after what held them ended (reopen_action), unless an
    organizer's hold still does; returns how many were released."""
    return 0 if action.is_held else _letters.release(action_id=action.pk)


def send_held(*, action: UrgentAction, by: User) -> int | None:
    """Send the letters a case held when it closed. Acts only on a closed case whose
    letters are held; returns how many letters go, None when it changed nothing.

    They go at once under the normal pace, or when an organizer's hold of the case ends.
    Logged with who and how many.
    """
    with transaction.atomic():
        released = UrgentAction.objects.filter(
            pk=action.pk, status=UrgentAction.Status.CLOSED, letters_held_at__isnull=False
        ).update(letters_held_at=None, updated_at=timezone.now())
        if not released:
            return None
        action.refresh_from_db(fields=["letters_held_at", "held_at"])
        count = _letters.count(action_id=action.pk)
        if not action.is_held:
            _letters.release(action_id=action.pk)
    logger.info(
        "UA %s: %d letters held at its close sent by %s", action.number, count, by.get_username()
    )
    return count


def drop_held(*, action: UrgentAction, by: User, reason: str = "") -> int | None:
    """Cancel the letters a case held when it closed: they are never sent. Acts only on a
    closed case whose letters are held; returns how many were cancelled, None when it
    changed nothing.

    Their writers are told nothing more than any cancellation tells them (their data shows
    the letter's delivery cancelled, as after an erasure). Logged with who, why and how
    many.
    """
    reason = _reason(reason)
    with transaction.atomic():
        # One transaction: no worker ever sees the rows free and not yet cancelled.
        cleared = UrgentAction.objects.filter(
            pk=action.pk, status=UrgentAction.Status.CLOSED, letters_held_at__isnull=False
        ).update(letters_held_at=None, updated_at=timezone.now())
        if not cleared:
            return None
        action.letters_held_at = None
        dropped = _letters.drop(action_id=action.pk)
    logger.warning(
        "UA %s: %d letters held at its close dropped by %s: %s",
        action.number,
        dropped,
        by.get_username(),
        reason or "-",
    )
    return dropped
