"""Sources on a case (campaigns.models.sources): telling organizers when one trends, and
invalidating its sign-ups and letters (and reversing that) across petitions and letters.

Petitions and letters each change their own rows (petitions.services.invalidation,
letters.services.invalidation); this layer, which sees both, makes one act of them: one
Invalidation, both apps' rows in one transaction, the counts moved before it commits.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from campaigns.mail import send_template
from campaigns.models import Invalidation, SourceKind, TrendingSource, UrgentAction
from campaigns.models.sources import REASON_LENGTH
from campaigns.outbox import claim
from campaigns.permissions import ORGANIZERS
from letters.services import invalidation as letters
from petitions.services import invalidation as petitions

from .. import impact, trending

logger = logging.getLogger(__name__)


# --- trending sources ---------------------------------------------------------------------


def alert_trending_sources(*, now: datetime.datetime | None = None) -> int:
    """Record the sources trending on any case in the last window, and email the
    organizers about each one they have not heard of within a window; returns how many
    sources they were told of.

    Once per source per window: a source is marked again only a whole window after it
    was last marked (a guarded UPDATE), so a check every few minutes tells organizers
    once, and again only if it still trends a window later. The emails go after the
    marks are written, each case's sources claimed first (notified_at), so a retried or
    concurrent run sends nothing twice and a failed send is tried again by the next run.
    """
    now = now or timezone.now()
    since = now - trending.window()
    for count in trending.trending(since=since):
        _mark(count, now=now)
    return _notify_organizers(now=now)


def _mark(count: trending.SourceCount, *, now: datetime.datetime) -> bool:
    """Mark a trending source due for an email, unless it was marked within the window."""
    values = {"signatures": count.signatures, "letters": count.letters}
    row, created = TrendingSource.objects.get_or_create(
        action_id=count.action_id,
        kind=count.kind,
        source=count.source,
        defaults={**values, "first_alerted_at": now, "alerted_at": now},
    )
    if created:
        return True
    marked = TrendingSource.objects.filter(
        pk=row.pk, alerted_at__lte=now - trending.window()
    ).update(alerted_at=now, notified_at=None, **values)
    return bool(marked)


def organizer_emails() -> list[str]:
    """The addresses of the active members of the Organizers group."""
    return sorted(
        set(
            User.objects.filter(groups__name=ORGANIZERS, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def _notify_organizers(*, now: datetime.datetime) -> int:
    due = TrendingSource.objects.filter(notified_at__isnull=True)
    told = 0
    for action_id in sorted(set(due.values_list("action_id", flat=True))):
        ids = claim(due.filter(action_id=action_id), notified_at=now)
        if not ids:
            continue  # another run took them
        try:
            _email_organizers(action_id=action_id, source_ids=ids)
        except Exception:
            # Not told: the next run tries again.
            TrendingSource.objects.filter(pk__in=ids, notified_at=now).update(notified_at=None)
            raise
        told += len(ids)
    return told


def _email_organizers(*, action_id: int, source_ids: list[int]) -> None:
    action = UrgentAction.objects.get(pk=action_id)
    sources = list(
        TrendingSource.objects.filter(pk__in=source_ids).order_by("kind", "-signatures", "source")
    )
    recipients = organizer_emails()
    if not recipients:
        logger.warning(
            "UA %s: %d sources trending, no organizer to tell", action.number, len(sources)
        )
        return
    context = {
        "action": action,
        # The email names no source: an IPv6 /64 is one household, and an inbox keeps it
        # past retention. The page behind the admin's login shows them.
        "sources": [
            {
                "kind": source.get_kind_display(),
                "signatures": source.signatures,
                "letters": source.letters,
            }
            for source in sources
        ],
        "minutes": settings.PLUMA_TRENDING_WINDOW_MINUTES,
        "threshold": settings.PLUMA_TRENDING_THRESHOLD,
        "url": settings.SITE_URL + reverse("case_dashboard:sources", args=[action.pk]),
    }
    for address in recipients:
        send_template(
            template="actions/email/trending",
            to=address,
            language=settings.LANGUAGE_CODE,
            context=context,
        )
    logger.info("UA %s: organizers told of %d trending sources", action.number, len(sources))


# --- invalidation -------------------------------------------------------------------------


class _NothingMatched(Exception):
    """Raised inside the transaction to undo an invalidation that changed nothing."""


def invalidate_source(
    *,
    action: UrgentAction,
    kind: SourceKind,
    source: str,
    reason: str,
    by: User,
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
) -> Invalidation | None:
    """Invalidate the case's sign-ups and letters from one source (a network or an email
    domain), written in [since, until) when given, in one transaction, and log it.

    The signatures are flagged and the confirmed ones leave the case's count at once; the
    letters' deliveries not yet sent never go, those already sent are only marked and no
    longer count as delivered. Acts only on rows not flagged or invalidated already.
    Returns the Invalidation (who, when, which criteria, why, how many of each), or None
    when nothing matched: then nothing is recorded, so a form sent twice records once.
    """
    try:
        with transaction.atomic():
            invalidation = Invalidation.objects.create(
                action=action,
                kind=kind,
                source=source,
                since=since,
                until=until,
                reason=" ".join(reason.split())[:REASON_LENGTH],
                invalidated_at=timezone.now(),
                invalidated_by=by,
            )
            signatures = petitions.invalidate_signatures(invalidation=invalidation)
            written = letters.invalidate_letters(invalidation=invalidation)
            if not signatures.signatures and not written.letters:
                raise _NothingMatched
            invalidation.signatures = signatures.signatures
            invalidation.confirmed_signatures = signatures.confirmed
            invalidation.letters = written.letters
            invalidation.letters_sent = written.went_out
            invalidation.save(
                update_fields=["signatures", "confirmed_signatures", "letters", "letters_sent"]
            )
            transaction.on_commit(lambda: impact.forget(action.pk))
    except _NothingMatched:
        return None
    logger.warning(
        "UA %s: invalidation #%s by %s: %d signatures (%d confirmed), %d letters (%d sent)",
        action.number,
        invalidation.pk,
        by.get_username(),
        invalidation.signatures,
        invalidation.confirmed_signatures,
        invalidation.letters,
        invalidation.letters_sent,
    )
    return invalidation


def reverse_invalidation(*, invalidation: Invalidation, by: User) -> bool:
    """Restore exactly the signatures and letters an invalidation changed, in one
    transaction: the confirmed signatures count again at once, the letters' deliveries
    still queued go, under the usual pace and any hold. Acts only on an invalidation not
    reversed yet; returns whether it changed anything. Logged with who."""
    now = timezone.now()
    with transaction.atomic():
        reversed_ = Invalidation.objects.filter(
            pk=invalidation.pk, status=Invalidation.Status.INVALIDATED
        ).update(status=Invalidation.Status.REVERSED, reversed_at=now, reversed_by=by)
        if not reversed_:
            return False
        signatures = petitions.restore_signatures(invalidation=invalidation)
        restored = letters.restore_letters(invalidation=invalidation)
        transaction.on_commit(lambda: impact.forget(invalidation.action_id))
    invalidation.status, invalidation.reversed_at, invalidation.reversed_by = (
        Invalidation.Status.REVERSED,
        now,
        by,
    )
    logger.warning(
        "Invalidation #%s reversed by %s: %d signatures (%d confirmed), %d letters restored",
        invalidation.pk,
        by.get_username(),
        signatures.signatures,
        signatures.confirmed,
        restored,
    )
    return True
