"""Writing a sign-up: the supporter, the signature and the consents, all or nothing.

This is the hottest write of the site: during a peak, hundreds per second. On PostgreSQL
it is one prepared statement (data-modifying CTEs), so a sign-up costs one round trip, no
explicit transaction and no planning, and the statement itself checks that the case is
still open. Other databases (the embedded SQLite) take the same steps one by one inside a
transaction.

Either way the unique constraints decide between concurrent identical sign-ups: the
supporter is upserted on their canonical email (an existing supporter keeps their
details), and the signature is inserted unless that supporter already signed the case.

A repeated sign-up costs the same as a first one, so that nobody can time a request to
learn whether an address signed: the same statement, instead of inserting, marks the
earlier signature's "you have already signed" notice as due (an outbox the worker sends
from), and the view answers both alike.
"""

import dataclasses
import datetime
import functools
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from campaigns import records
from campaigns.models import Consent, Supporter, UrgentAction

from ..models import Signature


@dataclasses.dataclass(frozen=True)
class Recorded:
    """What a sign-up wrote. `supporter_id` is None when the case was not open (nothing
    was written); `signature_id` is None when the supporter had already signed it, and
    `earlier_id` is then that signature's."""

    supporter_id: int | None
    signature_id: int | None
    earlier_id: int | None = None


def record_sign_up(
    *,
    supporter: Supporter,
    signature: Signature,
    consents: list[Consent],
    notice_due_at: datetime.datetime | None,
    max_notices: int,
) -> Recorded:
    """Write a sign-up unless the case is closed. `signature` and `consents` need no
    supporter; the one found or created is theirs. On a new signature, `signature.pk` is
    set; consents are written only with a new signature. When the supporter had signed
    already and ``notice_due_at`` is given, the earlier signature's notice is due then,
    unless it was sent ``max_notices`` times."""
    if connection.vendor == "postgresql":
        recorded = _in_one_statement(supporter, signature, consents, notice_due_at, max_notices)
    else:
        recorded = _step_by_step(supporter, signature, consents, notice_due_at, max_notices)
    if recorded.signature_id is not None:
        assert recorded.supporter_id is not None  # a signature is written with its supporter
        signature.pk = recorded.signature_id
        signature.supporter_id = recorded.supporter_id
        signature._state.adding = False
        signature._state.db = connection.alias
    return recorded


# --- PostgreSQL: one statement --------------------------------------------------------


@functools.cache
def _statement(consents: int) -> str:
    """The sign-up statement for a given number of consents. Only quoted names from the
    models go into its text; every value is a parameter."""
    cases = connection.ops.quote_name(UrgentAction._meta.db_table)
    parts = [
        f"open_case AS (SELECT 1 FROM {cases} WHERE id = %s AND status = %s)",  # noqa: S608
        f"supporter AS ({records.supporter_upsert(source='open_case')})",
        "signature AS ("
        + records.insert_select(
            Signature,
            records.columns(Signature, without="supporter"),
            source="supporter",
            extra=("supporter_id", "supporter.id"),
        )
        + " ON CONFLICT (action_id, supporter_id) DO NOTHING RETURNING id, supporter_id)",
    ]
    parts += [
        f"consent_{i} AS ("
        + records.consent_insert(source="signature", supporter_id="signature.supporter_id")
        + ")"
        for i in range(consents)
    ]
    # Only when nothing was inserted: the earlier signature, as the statement's snapshot
    # shows it, gets its notice marked due (at most max_notices are ever sent).
    signatures = connection.ops.quote_name(Signature._meta.db_table)
    parts.append(
        f"notice AS (UPDATE {signatures} SET notice_due_at = %s::timestamptz"  # noqa: S608
        " WHERE action_id = %s AND supporter_id = (SELECT id FROM supporter)"
        " AND NOT EXISTS (SELECT 1 FROM signature) AND notices_sent < %s AND %s"
        " RETURNING id)"
    )
    return (
        f"WITH {', '.join(parts)} SELECT (SELECT id FROM supporter), (SELECT id FROM signature),"  # noqa: S608
        f" (SELECT id FROM {signatures} WHERE action_id = %s"
        " AND supporter_id = (SELECT id FROM supporter))"
    )


def _in_one_statement(
    supporter: Supporter,
    signature: Signature,
    consents: list[Consent],
    notice_due_at: datetime.datetime | None,
    max_notices: int,
) -> Recorded:
    db = connections[DEFAULT_DB_ALIAS]
    # Whatever each field's get_db_prep_save gives: its stub says Any.
    params: list[Any] = [signature.action_id, UrgentAction.Status.OPEN]
    params += records.supporter_values(supporter, db)
    params += records.values(signature, records.columns(Signature, without="supporter"), db)
    for consent in consents:
        params += records.consent_values(consent, db)
    notify = notice_due_at is not None
    params += [notice_due_at or timezone.now(), signature.action_id, max_notices, notify]
    params.append(signature.action_id)
    with records.server_binding_cursor(db) as cursor:
        cursor.execute(_statement(len(consents)), params)
        row = cursor.fetchone()
    assert row is not None  # a SELECT of scalar subqueries returns one row
    supporter_id, signature_id, earlier_id = row
    if supporter_id is not None and signature_id is None and earlier_id is None:
        # Lost a race to an identical sign-up: the row that won was committed after this
        # statement's snapshot was taken, so neither the notice nor the SELECT saw it. A
        # new statement sees it (READ COMMITTED); only racing twins ever take this path.
        earlier_id = _mark_notice_due(
            action_id=signature.action_id,
            supporter_id=supporter_id,
            notice_due_at=notice_due_at,
            max_notices=max_notices,
        )
    return Recorded(
        supporter_id=supporter_id,
        signature_id=signature_id,
        earlier_id=None if signature_id is not None else earlier_id,
    )


def _mark_notice_due(
    *,
    action_id: int,
    supporter_id: int,
    notice_due_at: datetime.datetime | None,
    max_notices: int,
) -> int | None:
    """The supporter's earlier signature of the case, its notice marked due if asked."""
    earlier = Signature.objects.filter(action_id=action_id, supporter_id=supporter_id)
    if notice_due_at is not None:
        earlier.filter(notices_sent__lt=max_notices).update(notice_due_at=notice_due_at)
    return earlier.values_list("pk", flat=True).first()


# --- Other databases: step by step in a transaction -----------------------------------


def _step_by_step(
    supporter: Supporter,
    signature: Signature,
    consents: list[Consent],
    notice_due_at: datetime.datetime | None,
    max_notices: int,
) -> Recorded:
    with transaction.atomic():
        if not UrgentAction.objects.open().filter(pk=signature.action_id).exists():
            return Recorded(supporter_id=None, signature_id=None)
        # A no-op update on conflict makes the statement return the existing row's id.
        Supporter.objects.bulk_create(
            [supporter],
            update_conflicts=True,
            unique_fields=["email_canonical"],
            update_fields=["email_canonical"],
        )
        signature.supporter_id = supporter.pk
        if not _insert_unless_signed(signature):
            return Recorded(
                supporter_id=supporter.pk,
                signature_id=None,
                earlier_id=_mark_notice_due(
                    action_id=signature.action_id,
                    supporter_id=supporter.pk,
                    notice_due_at=notice_due_at,
                    max_notices=max_notices,
                ),
            )
        for consent in consents:
            consent.supporter_id = supporter.pk
            consent.save(force_insert=True)
    return Recorded(supporter_id=supporter.pk, signature_id=signature.pk)


def _insert_unless_signed(signature: Signature) -> bool:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id (SQLite 3.35+); True if inserted."""
    fields = records.columns(Signature)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(records.column(field)) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = (
        f"INSERT INTO {quote(Signature._meta.db_table)} ({columns}) "  # noqa: S608
        f"VALUES ({placeholders}) ON CONFLICT (action_id, supporter_id) DO NOTHING RETURNING id"
    )
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        cursor.execute(sql, records.values(signature, fields, db))
        row = cursor.fetchone()
    if row is None:
        return False
    signature.pk = row[0]
    return True
