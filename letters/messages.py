"""The one place a letter becomes an email to an official.

What officials see: From "<supporter name> via <organisation>" at the organisation's
letters address (never the supporter's: it would fail DMARC and expose them), Reply-To a
signed per-delivery address, and no supporter email or postal address anywhere.
"""

import contextlib
import os
import re
import threading
import time

import requests
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.test.signals import setting_changed

from . import tokens
from .models import Delivery, fill_placeholders, placeholder_values

# Control characters, CR and LF included, and Unicode line/paragraph separators.
_UNSAFE_IN_HEADER = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")


def header_safe(value: str) -> str:
    """One line of text for a header: header injection needs a line break to work."""
    return " ".join(_UNSAFE_IN_HEADER.sub(" ", value or "").split())


def display_name(name: str) -> str:
    """A quoted display name; quotes and backslashes escaped, so commas and <> stay inside."""
    name = header_safe(name).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{name}"'


def letters_domain() -> str:
    return settings.LETTERS_FROM_EMAIL.rpartition("@")[2]


def message_id_for(delivery: Delivery) -> str:
    """The same Message-ID on every attempt, so a mail server can drop a duplicate."""
    return f"<{tokens.make_token(delivery.pk)}@{letters_domain()}>"


class TrackedMessage(EmailMessage):
    """An email with what anymail passes to the ESP, which returns it in tracking webhooks.

    anymail reads ``metadata`` and ``tags`` off any EmailMessage; this class only says so.
    """

    metadata: dict[str, str]
    tags: list[str]


def build_letter_message(
    *, delivery: Delivery, connection: BaseEmailBackend | None = None
) -> TrackedMessage:
    """The email for one delivery, with anymail metadata carrying the delivery id."""
    letter, target = delivery.letter, delivery.target
    values = placeholder_values(target=target, writer=letter, case=letter.case)
    subject = header_safe(fill_placeholders(letter.subject, values))
    body = fill_placeholders(letter.body, values)
    sender = f"{letter.name} via {settings.ORGANISATION_NAME}"
    message = TrackedMessage(
        subject=subject,
        body=body,
        from_email=f"{display_name(sender)} <{settings.LETTERS_FROM_EMAIL}>",
        to=[f"{display_name(target.name)} <{header_safe(target.email)}>"],
        reply_to=[tokens.reply_address(delivery.pk)],
        headers={"Message-ID": message_id_for(delivery)},
        connection=connection,
    )
    # anymail sends these to the ESP, which returns them in tracking webhooks.
    message.metadata = {"delivery_id": str(delivery.pk)}
    message.tags = ["letter"]
    return message


# One open ESP connection per worker thread (a prefork child has one thread): anymail's
# backends keep their HTTP session, and so the keep-alive connection, while open, which
# spares a TCP (and TLS) handshake per letter. Per thread, because a requests session is
# not meant to be shared between threads.
_held = threading.local()
_generation = 0
# An idle keep-alive connection may be closed by the ESP at any moment; one closed just as
# a letter goes out looks like "it may have gone" (uncertain), so idle ones are renewed.
ESP_IDLE_SECONDS = 15


def _forget_esp_connections(*, setting: str, **kwargs: object) -> None:
    # Tests switch EMAIL_BACKEND and ANYMAIL between tests: a held connection is then stale.
    global _generation
    if setting.startswith(("EMAIL_", "ANYMAIL")):
        _generation += 1


setting_changed.connect(_forget_esp_connections)


def esp_connection() -> BaseEmailBackend:
    """This thread's open connection to the ESP, opened on first use and kept open."""
    # (generation, connection, when last used)
    held: tuple[int, BaseEmailBackend, float] | None = getattr(_held, "value", None)
    now = time.monotonic()
    if held is not None and (held[0] != _generation or now - held[2] > ESP_IDLE_SECONDS):
        drop_esp_connection()
        held = None
    if held is None:
        connection = get_connection()
        connection.open()
        _read_environment_once(connection)
        held = (_generation, connection, now)
    _held.value = (held[0], held[1], now)
    return held[1]


def _read_environment_once(connection: BaseEmailBackend) -> None:
    """Settle the proxy and CA bundle of the environment on the connection's requests
    session as it opens, instead of requests looking them up (and for a ~/.netrc file)
    on every letter: a tenth of a worker's CPU per letter (bench/deliver.py)."""
    session = getattr(connection, "session", None)
    api_url = getattr(connection, "api_url", None)
    if not isinstance(session, requests.Session) or not api_url or not session.trust_env:
        return
    session.proxies.update(requests.utils.get_environ_proxies(api_url))
    if session.verify is True:
        session.verify = (
            os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        )
    session.trust_env = False


def drop_esp_connection() -> None:
    """Close this thread's ESP connection (after an error), so the next send opens anew."""
    held = getattr(_held, "value", None)
    _held.value = None
    if held is not None:
        with contextlib.suppress(Exception):
            held[1].close()
