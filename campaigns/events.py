"""Events: what happened, recorded in the transaction that made it happen, for a higher app
to tell the world (webhooks).

The apps where things happen (petitions, letters, replies, handovers, campaigns itself)
may not import the apps that tell others of them, so they write an `Event` row here, in
the same transaction as the state change: a signature confirmed and its event commit or
roll back together. The event holds ids, counts and states only: the higher app decides,
when it sends, what else a receiver may see (names only with consent, texts only when
asked and allowed), so an erasure or a withdrawn consent in between is honoured.

Which kinds anybody wants is the higher app's knowledge (its endpoints), so it registers a
`Listener` at start-up (WebhooksConfig.ready), as the privacy providers are registered.
`record` asks it first and writes nothing when no one wants the kind: confirming a
signature costs no query then, and one INSERT otherwise. After the commit, the listener
is told (it asks for a dispatch), never inside the transaction.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Protocol

from django.db import transaction
from django.utils import timezone

from .models import Event

Kind = Event.Kind

# What an event's data may hold: ids, counts, states, timestamps as text; nested.
Value = str | int | bool | None | list["Value"] | Mapping[str, "Value"]
Data = Mapping[str, Value]


class Listener(Protocol):
    def wanted(self) -> frozenset[str]:
        """The kinds someone wants now; read on hot paths, so from a cache of a few seconds."""
        ...

    def recorded(self) -> None:
        """Events were committed: send them soon. Called after the commit."""
        ...


_listeners: dict[str, Listener] = {}


def register(listener: Listener) -> Listener:
    """Add a listener; registering the same class again replaces it (ready() may run twice)."""
    _listeners[f"{type(listener).__module__}.{type(listener).__qualname__}"] = listener
    return listener


def is_wanted(kind: str) -> bool:
    """Whether any listener wants events of this kind (no query on a warm cache)."""
    return any(kind in listener.wanted() for listener in _listeners.values())


@dataclasses.dataclass(frozen=True)
class Happened:
    """One event of a batch for `record_many`."""

    case_id: int | None = None
    supporter_id: int | None = None
    object_id: int | None = None
    data: Data = dataclasses.field(default_factory=dict)


def record(
    *,
    kind: str,
    case_id: int | None = None,
    supporter_id: int | None = None,
    object_id: int | None = None,
    data: Data | None = None,
) -> Event | None:
    """Write one event of ``kind`` if anyone wants that kind; returns it, else None.

    Call it inside the transaction of the change it reports. One INSERT when wanted,
    nothing otherwise; the listeners hear of it after the commit.
    """
    Kind(kind)  # a kind nobody can subscribe to is a bug, not an event
    if not is_wanted(kind):
        return None
    event = Event.objects.create(
        kind=kind,
        case_id=case_id,
        supporter_id=supporter_id,
        object_id=object_id,
        data=dict(data or {}),
    )
    _tell_listeners()
    return event


def record_many(*, kind: str, events: Iterable[Happened]) -> int:
    """`record` for several events of one kind (a digest's letters): one INSERT for all;
    returns how many were written (0 when nobody wants the kind)."""
    Kind(kind)
    if not is_wanted(kind):
        return 0
    now = timezone.now()
    rows = [
        Event(
            kind=kind,
            occurred_at=now,
            case_id=happened.case_id,
            supporter_id=happened.supporter_id,
            object_id=happened.object_id,
            data=dict(happened.data),
        )
        for happened in events
    ]
    if rows:
        Event.objects.bulk_create(rows)
        _tell_listeners()
    return len(rows)


def _tell_listeners() -> None:
    for listener in _listeners.values():
        transaction.on_commit(listener.recorded)
