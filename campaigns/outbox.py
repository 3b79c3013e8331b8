"""Outboxes: rows written first, then handed to workers and claimed, so nothing is lost.

Three kinds of email leave Pluma from a table rather than from the request that asked for
them: letters to officials (letters.Delivery), the confirmation emails of signatures
(petitions.Signature.link_due_at) and announcements to supporters
(campaigns.AnnouncementDelivery). Each is an `Outbox`:

- rows that are *due* (a condition of the row's own columns) are *handed out*: stamped
  with the time a task was sent for them, and their ids sent to workers in batches. A row
  handed out longer than the lease ago without being sent counts as lost (a broker that
  forgot the message, a worker killed before it started) and is handed out again. The
  request that writes rows only asks for a hand-out (campaigns.dispatch); the beat runs
  the same hand-out every minute, so a request lost with the broker still ends in a send.
- a worker *claims* the rows it was given with one conditional UPDATE (`claim`): of two
  workers given the same row, exactly one gets it. What is sent outside any transaction
  and recorded at once is each outbox's own business.

Holding a case (DESIGN §6) is a condition of `due`: a held row is simply never handed out.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Model, Q, QuerySet
from django.db.models.sql import UpdateQuery
from django.utils import timezone

from .enqueue import task

# Rows stamped per UPDATE when handing out: a long IN list costs more than a few rounds.
STAMP_CHUNK = 500

_M = TypeVar("_M", bound=Model)


def claim(rows: QuerySet[Model], **values: object) -> list[int]:
    """UPDATE ``rows`` SET ``values`` and return the ids it changed, in one statement.

    ``rows`` carries the condition that makes the claim safe (``status="queued"``, an id
    list…): a row another worker changed first no longer matches, so it is not returned.
    UPDATE … RETURNING, on PostgreSQL and SQLite alike.
    """
    query = rows.query.chain(UpdateQuery)
    assert isinstance(query, UpdateQuery)  # chain(klass) makes a klass; the stub says Query
    query.add_update_values(values)
    db = router.db_for_write(rows.model)
    try:
        sql, params = query.get_compiler(db).as_sql()
    except EmptyResultSet:  # a condition no row can meet (an empty id list)
        return []
    if not sql:
        return []
    pk = rows.model._meta.pk
    assert pk is not None and pk.column is not None  # a table's model has a pk column
    with connections[db].cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {connections[db].ops.quote_name(pk.column)}", params)
        return [row[0] for row in cursor.fetchall()]


@dataclasses.dataclass(frozen=True)
class Outbox(Generic[_M]):
    """One table's rows waiting to be sent, and the task that sends a batch of them.

    ``due(now)`` is the condition of a row to send now; ``handed_out`` the field stamped
    when a task is sent for a row (a DateTimeField, null until then); ``lease()`` how long
    a hand-out counts as being worked on; ``task_name`` a task taking a list of ids;
    ``stale`` an extra condition under which a stamped row counts as not handed out (for
    letters: a row whose next attempt is later than its last hand-out).
    """

    model: type[_M]
    due: Callable[[datetime.datetime], Q]
    handed_out: str
    lease: Callable[[], datetime.timedelta]
    task_name: str
    batch: int
    order_by: Sequence[str] = ("pk",)
    stale: Q | None = None
    limit: int = 5000

    def waiting(self, *, now: datetime.datetime) -> QuerySet[_M]:
        """Due rows with no worker on them."""
        free = Q(**{f"{self.handed_out}__isnull": True}) | Q(
            **{f"{self.handed_out}__lte": now - self.lease()}
        )
        if self.stale is not None:
            free |= self.stale
        return self.model._default_manager.filter(self.due(now)).filter(free)

    def hand_out(self, *, now: datetime.datetime | None = None) -> int:
        """Stamp up to ``limit`` waiting rows and send their ids to workers, ``batch`` to a
        task; returns how many. Idempotent: a second run finds the rows stamped."""
        now = now or timezone.now()
        ids = list(
            self.waiting(now=now)
            .order_by(*self.order_by)
            .values_list("pk", flat=True)[: self.limit]
        )
        manager = self.model._default_manager
        for start in range(0, len(ids), STAMP_CHUNK):
            manager.filter(pk__in=ids[start : start + STAMP_CHUNK]).update(**{self.handed_out: now})
        send = task(self.task_name)
        for start in range(0, len(ids), self.batch):
            send.delay(ids[start : start + self.batch])
        return len(ids)
