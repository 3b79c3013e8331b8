"""Signed links in emails to supporters: one codec, what can be wrong with a link, its nonce.

Every app signs its links with a `Link` of its own (its own salt, so a token made for one
purpose is refused by every other, and its own payload and lifetime). The errors are
shared, so every "this link does not work" page says the same thing for the same reason.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.core import signing

T = TypeVar("T")


class LinkError(Exception):
    """A link that cannot do what it was sent for; `kind` says why (for the page shown)."""

    kind = "invalid"


class LinkInvalid(LinkError):
    kind = "invalid"


class LinkExpired(LinkError):
    kind = "expired"


class LinkUsed(LinkError):
    kind = "used"


class LinkTooLate(LinkError):
    """A genuine, unused link to something the case no longer takes: it closed first."""

    kind = "closed"


class LinkNotCounted(LinkError):
    """A genuine link to something the public forms' defences flagged: it never counts,
    so there is nothing to confirm (the owner is told how to act again instead)."""

    kind = "not_counted"


def status_of(kind: str) -> int:
    """The HTTP status of the page for a link that cannot be used: 400 when it is not
    genuine, 409 when the case closed before it was used or what it names cannot count,
    410 when it expired or was used."""
    return {"invalid": 400, "closed": 409, "not_counted": 409}.get(kind, 410)


def new_nonce() -> str:
    """A single-use secret stored on the row a link acts on; cleared once it is used."""
    return secrets.token_urlsafe(16)


def _as_is(value: Any) -> Any:
    return value


class Link(Generic[T]):
    """Makes and reads the tokens of one kind of link.

    ``salt`` names the purpose; ``max_age`` (seconds, or a function returning them, for
    values read from settings at run time) is how long a token is accepted, None for ever
    (RFC 8058 asks unsubscribe links to keep working); ``parse`` turns the signed payload
    into what callers use, and any KeyError, TypeError or ValueError it raises makes the
    token invalid. With ``compress``, tokens are compressed when that makes them shorter
    (a list of ids); off by default, because setting up zlib costs more than a whole
    small token (the signing form's start time is made for every visitor). Tokens made by
    Django's ``signing.dumps`` with the same salt, compressed or not, read the same.
    """

    def __init__(
        self,
        salt: str,
        *,
        max_age: int | Callable[[], int] | None = None,
        parse: Callable[[Any], T] = _as_is,
        compress: bool = False,
    ) -> None:
        self.salt = salt
        self.compress = compress
        self._max_age = max_age
        self._parse = parse

    @property
    def max_age(self) -> int | None:
        return self._max_age() if callable(self._max_age) else self._max_age

    def make(self, payload: Any) -> str:
        return signing.dumps(payload, salt=self.salt, compress=self.compress)

    def read(self, token: str, *, check_age: bool = True) -> T:
        """What a genuine token carries; raises LinkExpired or LinkInvalid.

        ``check_age=False`` reads an expired token too: to offer a new link for the same
        thing, never to act on it.
        """
        if not token or len(token) > 4000:
            raise LinkInvalid
        try:
            data = signing.loads(token, salt=self.salt, max_age=self.max_age if check_age else None)
        except signing.SignatureExpired:
            raise LinkExpired from None
        except signing.BadSignature:
            raise LinkInvalid from None
        try:
            return self._parse(data)
        except (KeyError, TypeError, ValueError):
            raise LinkInvalid from None

    def read_or_none(self, token: str, *, check_age: bool = True) -> T | None:
        try:
            return self.read(token, check_age=check_age)
        except LinkError:
            return None
