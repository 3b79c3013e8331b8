"""Exporting a case's confirmed signatures as CSV, streamed and logged."""

import logging
from collections.abc import Iterator

from django.contrib.auth.models import User
from django.utils import timezone

from campaigns.models import UrgentAction
from campaigns.replica import replica_alias

from ..csvsafe import csv_lines
from ..models import ExportLog, Signature

logger = logging.getLogger(__name__)

# Rows fetched from the database per round trip; memory stays flat however many there are.
CHUNK_SIZE = 2000
# What an organizer needs to hand signatures over; no email or postal address of anyone.
COLUMNS = (
    ("id", "pk"),
    ("name", "name"),
    ("country", "country"),
    ("city", "city"),
    ("postal_code", "postal_code"),
    ("comment", "comment"),
    ("language", "language"),
    ("source", "source"),
    ("signed_at", "signed_at"),
    ("confirmed_at", "confirmed_at"),
)


def export_signatures(*, action: UrgentAction, user: User) -> tuple[ExportLog, Iterator[str]]:
    """Log an export and return it with the CSV text of the case's counted signatures.

    The text is a generator: rows are read in chunks as it is consumed, and when it ends
    (or the download is cut off) the log gets the number of rows actually produced.
    """
    log = ExportLog.objects.create(action=action, user=user)
    logger.info("Export #%s of UA %s by %s started", log.pk, action.number, user)
    return log, _stream(log)


def _rows(log: ExportLog, counter: list[int]) -> Iterator[tuple[object, ...]]:
    yield tuple(header for header, _field in COLUMNS)
    # From the replica when there is one: an export reads every row of a case.
    signatures = (
        Signature.objects.using(replica_alias())
        .filter(action_id=log.action_id, status=Signature.Status.CONFIRMED, is_flagged=False)
        .order_by("pk")
        .values_list(*(field for _header, field in COLUMNS))
    )
    for row in signatures.iterator(chunk_size=CHUNK_SIZE):
        counter[0] += 1
        yield row


def _stream(log: ExportLog) -> Iterator[str]:
    counter = [0]
    is_complete = False
    try:
        yield from csv_lines(_rows(log, counter))
        is_complete = True
    finally:
        # Runs when the response is closed, also if the client went away mid-download.
        ExportLog.objects.filter(pk=log.pk).update(
            rows=counter[0], finished_at=timezone.now(), is_complete=is_complete
        )
        logger.info("Export #%s: %s rows, complete=%s", log.pk, counter[0], is_complete)
