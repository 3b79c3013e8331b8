"""Writing a sign-up: the supporter, the signature and the consents, all or nothing.

This is the hottest write of the site: during a peak, hundreds per second. On PostgreSQL
it is one prepared statement (data-modifying CTEs), so a sign-up costs one round trip, no
explicit transaction and no planning, and the statement itself checks that the case is
still open. Other databases (the embedded SQLite) take the same steps one by one inside a
transaction.

Either way the unique constraints decide between concurrent identical sign-ups: the
supporter is upserted on their canonical email (an existing supporter keeps their
details), and the signature is inserted unless that supporter already signed the case.
"""

import dataclasses
import functools

from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from campaigns.models import Consent, Supporter, UrgentAction

from .models import Signature


@dataclasses.dataclass(frozen=True)
class Recorded:
    """What a sign-up wrote. `supporter_id` is None when the case was not open (nothing
    was written); `signature_id` is None when the supporter had already signed it."""

    supporter_id: int | None
    signature_id: int | None


def record_sign_up(
    *, supporter: Supporter, signature: Signature, consents: list[Consent]
) -> Recorded:
    """Write a sign-up unless the case is closed. `signature` and `consents` need no
    supporter; the one found or created is theirs. On a new signature, `signature.pk` is
    set; consents are written only with a new signature."""
    if connection.vendor == "postgresql":
        recorded = _in_one_statement(supporter, signature, consents)
    else:
        recorded = _step_by_step(supporter, signature, consents)
    if recorded.signature_id is not None:
        signature.pk = recorded.signature_id
        signature.supporter_id = recorded.supporter_id
        signature._state.adding = False
        signature._state.db = connection.alias
    return recorded


# --- PostgreSQL: one statement --------------------------------------------------------


@functools.cache
def _columns(model: type[models.Model], *, without: str = "") -> tuple[models.Field, ...]:
    """The columns an INSERT writes: every concrete field but the key (and `without`)."""
    return tuple(
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and field.name != without
    )


def _values(instance: models.Model, fields: tuple[models.Field, ...], db: BaseDatabaseWrapper):
    # pre_save fills auto_now_add and default timestamps on the instance, as save() would.
    # `db` is the connection itself: each field asks it a few things, and through the
    # `django.db.connection` proxy every question is a thread-local lookup.
    return [field.get_db_prep_save(field.pre_save(instance, add=True), db) for field in fields]


def _insert_select(
    model: type[models.Model],
    fields: tuple[models.Field, ...],
    *,
    source: str,
    extra: tuple[str, str] | None = None,
) -> str:
    """INSERT INTO table (fields…[, extra column]) SELECT %s::type…[, extra value] FROM source.

    The casts matter: a bare parameter in a SELECT list would reach the INSERT as text.
    """
    quote = connection.ops.quote_name
    columns = [quote(field.column) for field in fields]
    values = [f"%s::{field.db_type(connection)}" for field in fields]
    if extra is not None:
        columns.append(quote(extra[0]))
        values.append(extra[1])
    table = quote(model._meta.db_table)
    return f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {source}"  # noqa: S608


@functools.cache
def _statement(consents: int) -> str:
    """The sign-up statement for a given number of consents. Only quoted names from the
    models go into its text; every value is a parameter."""
    cases = connection.ops.quote_name(UrgentAction._meta.db_table)
    parts = [
        f"open_case AS (SELECT 1 FROM {cases} WHERE id = %s AND status = %s)",  # noqa: S608
        "supporter AS ("
        + _insert_select(Supporter, _columns(Supporter), source="open_case")
        + " ON CONFLICT (email_canonical)"
        " DO UPDATE SET email_canonical = EXCLUDED.email_canonical RETURNING id)",
        "signature AS ("
        + _insert_select(
            Signature,
            _columns(Signature, without="supporter"),
            source="supporter",
            extra=("supporter_id", "supporter.id"),
        )
        + " ON CONFLICT (action_id, supporter_id) DO NOTHING RETURNING id, supporter_id)",
    ]
    parts += [
        f"consent_{i} AS ("
        + _insert_select(
            Consent,
            _columns(Consent, without="supporter"),
            source="signature",
            extra=("supporter_id", "signature.supporter_id"),
        )
        + ")"
        for i in range(consents)
    ]
    return f"WITH {', '.join(parts)} SELECT (SELECT id FROM supporter), (SELECT id FROM signature)"  # noqa: S608


def _in_one_statement(
    supporter: Supporter, signature: Signature, consents: list[Consent]
) -> Recorded:
    db = connections[DEFAULT_DB_ALIAS]
    params = [signature.action_id, UrgentAction.Status.OPEN]
    params += _values(supporter, _columns(Supporter), db)
    params += _values(signature, _columns(Signature, without="supporter"), db)
    for consent in consents:
        params += _values(consent, _columns(Consent, without="supporter"), db)
    with _server_binding_cursor(db) as cursor:
        cursor.execute(_statement(len(consents)), params)
        supporter_id, signature_id = cursor.fetchone()
    return Recorded(supporter_id=supporter_id, signature_id=signature_id)


def _server_binding_cursor(db: BaseDatabaseWrapper):
    """A Django cursor that sends the parameters apart from the statement, so that psycopg
    prepares the statement once per connection.

    Django's own cursors write the parameters into the statement's text (its default, for
    the sake of connection poolers), so PostgreSQL would parse and plan this statement
    afresh for every sign-up: more than half of what a sign-up costs it (bench/README.md).
    Preparing needs DATABASES' prepare_threshold (config/settings.py); without it the
    statement is still bound server-side, only never prepared. Otherwise this is what
    db.cursor() does: the health check, error wrapping, query logging and wrappers.
    """
    from django.db.backends.postgresql.base import ServerBindingCursor

    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_thread_sharing()
    with db.wrap_database_errors:
        cursor = ServerBindingCursor(db.connection)
    return db.make_debug_cursor(cursor) if db.queries_logged else db.make_cursor(cursor)


# --- Other databases: step by step in a transaction -----------------------------------


def _step_by_step(supporter: Supporter, signature: Signature, consents: list[Consent]) -> Recorded:
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
            return Recorded(supporter_id=supporter.pk, signature_id=None)
        for consent in consents:
            consent.supporter_id = supporter.pk
            consent.save(force_insert=True)
    return Recorded(supporter_id=supporter.pk, signature_id=signature.pk)


def _insert_unless_signed(signature: Signature) -> bool:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id (SQLite 3.35+); True if inserted."""
    fields = _columns(Signature)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = (
        f"INSERT INTO {quote(Signature._meta.db_table)} ({columns}) "  # noqa: S608
        f"VALUES ({placeholders}) ON CONFLICT (action_id, supporter_id) DO NOTHING RETURNING id"
    )
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        cursor.execute(sql, _values(signature, fields, db))
        row = cursor.fetchone()
    if row is None:
        return False
    signature.pk = row[0]
    return True
