"""The one place a letter becomes an email to an official.

What officials see: From "<supporter name> via <organisation>" at the organisation's
letters address (never the supporter's: it would fail DMARC and expose them), Reply-To a
signed per-delivery address, and no supporter email or postal address anywhere.
"""

import re

from django.conf import settings
from django.core.mail import EmailMessage

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


def build_letter_message(*, delivery: Delivery, connection=None) -> EmailMessage:
    """The email for one delivery, with anymail metadata carrying the delivery id."""
    letter, target = delivery.letter, delivery.target
    supporter = letter.supporter
    values = placeholder_values(target=target, supporter=supporter, case=letter.case)
    subject = header_safe(fill_placeholders(letter.subject, values))
    body = fill_placeholders(letter.body, values)
    sender = f"{supporter.name} via {settings.ORGANISATION_NAME}"
    message = EmailMessage(
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
