"""Signed, expiring confirmation tokens: the signature's id and its single-use nonce."""

from django.conf import settings
from django.core import signing

from campaigns.links import LinkError, LinkExpired, LinkInvalid, LinkUsed, new_nonce

__all__ = ["LinkError", "LinkExpired", "LinkInvalid", "LinkUsed", "new_nonce"]

SALT = "petitions.confirm"


def max_age() -> int:
    return getattr(settings, "PLUMA_CONFIRM_LINK_MAX_AGE", 3 * 24 * 3600)


def make_token(*, signature_id: int, nonce: str) -> str:
    return signing.dumps({"s": signature_id, "n": nonce}, salt=SALT, compress=True)


def signature_id_of(token: str) -> int | None:
    """The signature a genuine token names, even if it expired (to offer a new link)."""
    try:
        return int(signing.loads(token, salt=SALT)["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def read_token(token: str) -> tuple[int, str]:
    """(signature id, nonce) of a valid, unexpired token; raises LinkInvalid or LinkExpired."""
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age())
    except signing.SignatureExpired:
        raise LinkExpired from None
    except signing.BadSignature:
        raise LinkInvalid from None
    try:
        return int(data["s"]), str(data["n"])
    except (KeyError, TypeError, ValueError):
        raise LinkInvalid from None
