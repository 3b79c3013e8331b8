"""Writing a supporter and their consents inside one prepared PostgreSQL statement.

The sign-up is the hottest write of the site (hundreds a second in a peak), so on
PostgreSQL it is one statement of data-modifying CTEs (petitions/services/records.py). This module
holds the parts of it that are campaigns' rows, so the rule of `supporter_for` (a known
address keeps its row as it is; a new one gets only an address and a language) is written
in one place for the ORM and for SQL.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db import connection, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper

from .models import Consent, Supporter


@functools.cache
def columns(model: type[models.Model], *, without: str = "") -> tuple[models.Field[Any, Any], ...]:
    """The columns an INSERT writes: every concrete field but the key (and `without`)."""
    return tuple(
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and field.name != without
    )


def column(field: models.Field[Any, Any]) -> str:
    """The column of a concrete field (the stub allows None: a field may have no column)."""
    assert field.column is not None
    return field.column


def values(
    instance: models.Model, fields: tuple[models.Field[Any, Any], ...], db: BaseDatabaseWrapper
) -> list[Any]:
    """The parameters of ``instance`` for those columns, as save() would write them.

    pre_save fills auto_now_add and default timestamps on the instance. ``db`` is the
    connection itself: each field asks it a few things, and through the
    ``django.db.connection`` proxy every question is a thread-local lookup.
    """
    return [field.get_db_prep_save(field.pre_save(instance, add=True), db) for field in fields]


def insert_select(
    model: type[models.Model],
    fields: tuple[models.Field[Any, Any], ...],
    *,
    source: str,
    extra: tuple[str, str] | None = None,
) -> str:
    """INSERT INTO table (fields…[, extra column]) SELECT %s::type…[, extra value] FROM source.

    The casts matter: a bare parameter in a SELECT list would reach the INSERT as text.
    """
    quote = connection.ops.quote_name
    names = [quote(column(field)) for field in fields]
    placeholders = [f"%s::{field.db_type(connection)}" for field in fields]
    if extra is not None:
        names.append(quote(extra[0]))
        placeholders.append(extra[1])
    table = quote(model._meta.db_table)
    return (
        f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(placeholders)} FROM {source}"  # noqa: S608
    )


def supporter_upsert(*, source: str) -> str:
    """A CTE body giving the supporter's id (``RETURNING id``): inserted from
    ``new_supporter()``'s values when the address is new, else the existing row untouched
    (the no-op update makes PostgreSQL return its id)."""
    return (
        insert_select(Supporter, columns(Supporter), source=source)
        + " ON CONFLICT (email_canonical)"
        " DO UPDATE SET email_canonical = EXCLUDED.email_canonical RETURNING id"
    )


def consent_insert(*, source: str, supporter_id: str) -> str:
    """A CTE body inserting one consent for the supporter id named ``supporter_id``
    (an expression over ``source``)."""
    return insert_select(
        Consent,
        columns(Consent, without="supporter"),
        source=source,
        extra=("supporter_id", supporter_id),
    )


def supporter_values(supporter: Supporter, db: BaseDatabaseWrapper) -> list[Any]:
    return values(supporter, columns(Supporter), db)


def consent_values(consent: Consent, db: BaseDatabaseWrapper) -> list[Any]:
    return values(consent, columns(Consent, without="supporter"), db)


def server_binding_cursor(db: BaseDatabaseWrapper) -> CursorWrapper:
    """A Django cursor that sends the parameters apart from the statement, so that psycopg
    prepares the statement once per connection.

    Django's own cursors write the parameters into the statement's text (its default, for
    the sake of connection poolers), so PostgreSQL would parse and plan a hot statement
    afresh for every use. Preparing needs DATABASES' prepare_threshold (config/settings);
    without it the statement is still bound server-side, only never prepared. Otherwise
    this is what db.cursor() does: the health check, error wrapping, query logging and
    wrappers.
    """
    from django.db.backends.postgresql.base import ServerBindingCursor

    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_thread_sharing()
    with db.wrap_database_errors:
        # django-stubs stubs ServerBindingCursor without its psycopg.Cursor base, and has
        # make_cursor take a CursorWrapper where Django passes the driver's cursor
        # (typeddjango/django-stubs#3595).
        cursor = ServerBindingCursor(db.connection)  # type: ignore[call-arg]
    return db.make_debug_cursor(cursor) if db.queries_logged else db.make_cursor(cursor)  # type: ignore[arg-type]
