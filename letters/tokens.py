"""Signed per-delivery reply addresses: r-<token>@REPLY_DOMAIN.

The token hides the delivery id with a keyed permutation (a four-round Feistel network
over 64 bits, HMAC-SHA256 as the round function) and appends an HMAC tag over the hidden
id. Nobody without SECRET_KEY can read an id from an address, step from one address to
the next, or forge one; tokens made with an old key in SECRET_KEY_FALLBACKS still route.
"""

import base64
import hashlib
import hmac

from django.conf import settings

from .models import Delivery

PURPOSE = b"pluma.letters.reply-to.v1"
TAG_BYTES = 10
_MASK32 = 0xFFFFFFFF


def _key(secret: str) -> bytes:
    return hmac.new(secret.encode(), PURPOSE, hashlib.sha256).digest()


def _round(key: bytes, number: int, half: int) -> int:
    digest = hmac.new(key, bytes([number]) + half.to_bytes(4, "big"), hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big")


def _permute(key: bytes, value: int, *, inverse: bool = False) -> int:
    left, right = value >> 32, value & _MASK32
    rounds = range(3, -1, -1) if inverse else range(4)
    for number in rounds:
        if inverse:
            left, right = right ^ _round(key, number, left), left
        else:
            left, right = right, left ^ _round(key, number, right)
    return (left << 32) | right


def _tag(key: bytes, hidden: bytes) -> bytes:
    return hmac.new(key, b"tag" + hidden, hashlib.sha256).digest()[:TAG_BYTES]


def make_token(delivery_id: int, *, secret: str | None = None) -> str:
    """The reply token of a delivery: lower-case base32, 29 characters."""
    key = _key(secret or settings.SECRET_KEY)
    hidden = _permute(key, delivery_id).to_bytes(8, "big")
    raw = hidden + _tag(key, hidden)
    return base64.b32encode(raw).decode().rstrip("=").lower()


def reply_address(delivery_id: int) -> str:
    return f"r-{make_token(delivery_id)}@{settings.REPLY_DOMAIN}"


def read_token(token: str) -> int | None:
    """The delivery id a token stands for, or None if it is malformed or forged."""
    # Mail systems may change the case of a local part; base32 does not care.
    token = token.strip().upper().removeprefix("R-")
    if not token or len(token) > 64:
        return None
    try:
        raw = base64.b32decode(token + "=" * (-len(token) % 8))
    except ValueError:
        return None
    if len(raw) != 8 + TAG_BYTES:
        return None
    hidden, tag = raw[:8], raw[8:]
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        key = _key(secret)
        if hmac.compare_digest(tag, _tag(key, hidden)):
            return _permute(key, int.from_bytes(hidden, "big"), inverse=True)
    return None


def route_token(token: str) -> Delivery | None:
    """The delivery a reply token belongs to; None for unknown or forged tokens."""
    delivery_id = read_token(token)
    if delivery_id is None:
        return None
    return Delivery.objects.filter(pk=delivery_id).select_related("letter", "target").first()
