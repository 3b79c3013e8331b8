"""Sorting the errors of a send: permanent, transient, or "it may have gone".

The line between transient and uncertain is whether the ESP could have received the
request: a refused connection or a connect timeout never reached it (retry), while a
read timeout or a connection dropped mid-answer may have followed an accepted send
(record as sent and flag it: at most once beats a duplicate letter to an official).
"""

from enum import StrEnum

import requests
from anymail.exceptions import (
    AnymailAPIError,
    AnymailError,
    AnymailInvalidAddress,
    AnymailRecipientsRefused,
)
from urllib3.exceptions import MaxRetryError, NewConnectionError

from .models import Delivery

# Too many requests, a timeout on the ESP's side, or the ESP not knowing us (a bad key
# is the operator's to fix; the letter is not at fault, so it waits).
TRANSIENT_STATUS_CODES = {401, 403, 408, 409, 425, 429}


class SendErrorKind(StrEnum):
    PERMANENT = "permanent"
    TRANSIENT = "transient"
    UNCERTAIN = "uncertain"


def _never_connected(exc: BaseException) -> bool:
    original = exc.__cause__ if isinstance(exc, AnymailError) and exc.__cause__ else exc
    if isinstance(original, requests.ConnectTimeout):
        return True
    reason = original.args[0] if original.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, NewConnectionError)


def sort_send_error(exc: BaseException) -> tuple[SendErrorKind, str, str]:
    """(kind, Delivery.ErrorCode for permanent errors, a one-line description)."""
    text = " ".join(str(exc).split())[:2000] or type(exc).__name__
    if isinstance(exc, AnymailRecipientsRefused | AnymailInvalidAddress):
        return SendErrorKind.PERMANENT, Delivery.ErrorCode.REJECTED_ADDRESS, text
    if isinstance(exc, requests.RequestException):
        if _never_connected(exc):
            return SendErrorKind.TRANSIENT, "", text
        if isinstance(exc, requests.Timeout | requests.ConnectionError):
            return SendErrorKind.UNCERTAIN, "", text
    if isinstance(exc, AnymailAPIError) and exc.status_code is not None:
        status = exc.status_code
        if 200 <= status < 300:
            # Accepted, but the answer made no sense: it may well have gone.
            return SendErrorKind.UNCERTAIN, "", text
        if status in TRANSIENT_STATUS_CODES or status >= 500:
            return SendErrorKind.TRANSIENT, "", text
        if 400 <= status < 500:
            return SendErrorKind.PERMANENT, Delivery.ErrorCode.BAD_REQUEST, text
        return SendErrorKind.TRANSIENT, "", text
    if isinstance(exc, AnymailError) and not isinstance(exc, requests.RequestException):
        # Unsupported features, unserialisable data: sending again will not help.
        return SendErrorKind.PERMANENT, Delivery.ErrorCode.BAD_REQUEST, text
    # Network trouble of other backends, a full disk for the outbox, the unknown.
    return SendErrorKind.TRANSIENT, "", text
