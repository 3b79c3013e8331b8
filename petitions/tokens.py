"""Signed, expiring confirmation tokens: the signature's id and its single-use nonce."""

from django.conf import settings

from campaigns.links import Link, LinkError, LinkExpired, LinkInvalid, LinkUsed, new_nonce

__all__ = ["LinkError", "LinkExpired", "LinkInvalid", "LinkUsed", "new_nonce"]


def max_age() -> int:
    return getattr(settings, "PLUMA_CONFIRM_LINK_MAX_AGE", 3 * 24 * 3600)


CONFIRM_LINK: Link[tuple[int, str]] = Link(
    "petitions.confirm",
    max_age=max_age,
    parse=lambda data: (int(data["s"]), str(data["n"])),
    compress=True,
)


def make_token(*, signature_id: int, nonce: str) -> str:
    return CONFIRM_LINK.make({"s": signature_id, "n": nonce})


def signature_id_of(token: str) -> int | None:
    """The signature a genuine token names, even if it expired (to offer a new link)."""
    read = CONFIRM_LINK.read_or_none(token, check_age=False)
    return read[0] if read else None


def read_token(token: str) -> tuple[int, str]:
    """(signature id, nonce) of a valid, unexpired token; raises LinkInvalid or LinkExpired."""
    return CONFIRM_LINK.read(token)
