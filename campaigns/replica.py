"""Reads that may lag a little go to the read replica, when there is one.

With DATABASE_REPLICA_URL set, the replica takes what reads a case's rows by the
thousand and can wait a second or two for the latest of them: signature exports, the
organizers' dashboards and reports, the public list of cases (open data) and delivery
packs. Each such call site says so itself, with ``.using(replica_alias())``; everything
else reads and writes the primary (config.routers says which reads must, and why).

A streaming replica replays the primary's writes a moment later. Where that moment
matters, ``replica_caught_up()`` waits for the replica to have replayed everything the
primary had committed when it was called: a pack counts every signature confirmed
before it was built, and anyone recomputing its fingerprint on the primary must find
the same set.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger(__name__)

# How long replica_caught_up() waits before it reads from the primary instead.
CATCH_UP_SECONDS = 10.0
POLL_SECONDS = 0.1


def replica_alias() -> str:
    """The database alias for reads that may lag: the replica's, or the primary's when
    there is none."""
    return settings.DATABASE_REPLICA or DEFAULT_DB_ALIAS


def _primary_position() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return str(cursor.fetchone()[0])


def _replayed(alias: str, position: str) -> bool:
    """Whether the replica has replayed the primary's WAL up to ``position``. A server
    that is not replaying anything (a test mirror of the primary) has all of it."""
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= %s::pg_lsn",
            [position],
        )
        return bool(cursor.fetchone()[0])


def replica_caught_up(*, timeout: float = CATCH_UP_SECONDS) -> str:
    """replica_alias(), once the replica holds every write the primary had committed when
    this was called; the primary's alias if it did not catch up within ``timeout``."""
    alias = replica_alias()
    if alias == DEFAULT_DB_ALIAS or connections[alias].vendor != "postgresql":
        return alias
    position = _primary_position()
    deadline = time.monotonic() + timeout
    while not _replayed(alias, position):
        if time.monotonic() >= deadline:
            logger.warning(
                "The replica is more than %s s behind the primary; reading the primary", timeout
            )
            return DEFAULT_DB_ALIAS
        time.sleep(POLL_SECONDS)
    return alias
