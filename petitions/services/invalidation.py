"""An organizer's invalidation of a source, on petitions' side: the signatures it matches
stop counting, and reversing it makes exactly those count again
(campaigns.models.sources; actions.services.sources composes it with letters').

An invalidated signature is flagged (flag_reason "invalidated") and points to the
invalidation: every count, export, pack and fingerprint already leaves flagged signatures
out. The confirmed count's shards move in the same transaction, by the confirmed rows the
call changed.

Pending rows are changed before confirmed ones, each in one guarded UPDATE, so that a
confirmation racing with it is counted once: a signature confirmed before the first
UPDATE reaches it is confirmed (and counted by its confirmation) when the second one
takes it, which moves the count back; one the first UPDATE took is confirmed, if at
all, after this transaction, and its confirmation reads the flag and does not count it.
"""

import dataclasses
import logging

from django.db import transaction
from django.db.models import QuerySet

from campaigns.defences import Flag
from campaigns.models import Invalidation

from .. import counts
from ..models import Signature

logger = logging.getLogger(__name__)

Status = Signature.Status


@dataclasses.dataclass(frozen=True)
class Changed:
    """Signatures a call changed, and how many of them were confirmed (what the case's
    count moved by)."""

    signatures: int
    confirmed: int


def _pending_then_confirmed(rows: QuerySet[Signature], **values: object) -> Changed:
    pending = rows.exclude(status=Status.CONFIRMED).update(**values)
    confirmed = rows.filter(status=Status.CONFIRMED).update(**values)
    return Changed(signatures=pending + confirmed, confirmed=confirmed)


def invalidate_signatures(*, invalidation: Invalidation) -> Changed:
    """Flag the signatures of the invalidation's case, source and time range, and take the
    confirmed ones off the case's count, in one transaction.

    Acts only on signatures not flagged (by the defences or another invalidation), so a
    second call changes nothing. The cached count is forgotten on commit.
    """
    matching = Signature.objects.filter(
        invalidation.matches(case="action_id", at="signed_at"), is_flagged=False
    )
    with transaction.atomic():
        changed = _pending_then_confirmed(
            matching, is_flagged=True, flag_reason=Flag.INVALIDATED, invalidation=invalidation
        )
        if changed.confirmed:
            counts.add_confirmed(action_id=invalidation.action_id, by=-changed.confirmed)
        transaction.on_commit(lambda: counts.forget(invalidation.action_id))
    logger.info(
        "Invalidation #%s: %d signatures flagged (%d confirmed)",
        invalidation.pk,
        changed.signatures,
        changed.confirmed,
    )
    return changed


def restore_signatures(*, invalidation: Invalidation) -> Changed:
    """Clear the flag of the signatures this invalidation flagged, and count the confirmed
    ones again, in one transaction.

    Acts only on signatures that still point to it, so a second call changes nothing. The
    cached count is forgotten on commit.
    """
    flagged = Signature.objects.filter(invalidation=invalidation)
    with transaction.atomic():
        changed = _pending_then_confirmed(
            flagged, is_flagged=False, flag_reason="", invalidation=None
        )
        if changed.confirmed:
            counts.add_confirmed(action_id=invalidation.action_id, by=changed.confirmed)
        transaction.on_commit(lambda: counts.forget(invalidation.action_id))
    logger.info(
        "Invalidation #%s reversed: %d signatures restored (%d confirmed)",
        invalidation.pk,
        changed.signatures,
        changed.confirmed,
    )
    return changed
