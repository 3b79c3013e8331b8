"""Standard Webhooks signatures (https://www.standardwebhooks.com/): the secret's form,
and the three headers each POST carries.

``webhook-signature`` is ``v1,`` and the base64 of HMAC-SHA256(secret, "{id}.{timestamp}.
{body}"), with the secret's bytes (the base64 after ``whsec_``). During a rotation it
carries one signature per secret, separated by a space, as the standard allows: a
receiver still on the old secret finds its own.
"""

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable

PREFIX = "whsec_"
SECRET_BYTES = 32


def new_secret() -> str:
    """A fresh secret in Standard Webhooks' form: whsec_ + base64 of 32 random bytes."""
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def signature(*, secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """One ``v1,<base64>`` signature of the body."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(
    *, secrets: Iterable[str], message_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """The headers of one attempt: the same id on every retry (receivers drop repeats by
    it), the time of this attempt, and a signature per secret."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            signature(secret=secret, message_id=message_id, timestamp=timestamp, body=body)
            for secret in secrets
        ),
    }
