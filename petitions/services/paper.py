"""Paper signatures organizers record: a checked CSV imported whole, and the cached count."""

import logging

from django.db import transaction

from campaigns.models import UrgentAction

from .. import counts, paper
from ..models import PaperSignature

logger = logging.getLogger(__name__)


def import_paper_signatures(
    *, action: UrgentAction, rows: list["paper.PaperRow"], batch: str = ""
) -> int:
    """Write checked rows of named paper signatures in one transaction; returns how many.

    All or nothing: the caller checks every row first (paper.read_paper_csv), and a
    failure here rolls back the whole file.
    """
    with transaction.atomic():
        created = PaperSignature.objects.bulk_create(
            [
                PaperSignature(
                    action=action,
                    name=row.name,
                    country=row.country,
                    city=row.city,
                    collected_on=row.collected_on,
                    batch=batch[:100],
                )
                for row in rows
            ],
            batch_size=1000,
        )
    paper_changed(action_id=action.pk)
    logger.info("Imported %s paper signatures on UA %s", len(created), action.number)
    return len(created)


def paper_changed(*, action_id: int) -> None:
    """Call after any write to tallies or paper signatures: the count is cached."""
    counts.forget_paper(action_id)
    # Again once committed, in case a read in between cached the old number.
    transaction.on_commit(lambda: counts.forget_paper(action_id))
