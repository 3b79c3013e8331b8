"""Email to supporters: one way to send a templated email, its signed links, and masked
addresses for logs.

Every email Pluma sends a supporter goes through `send_template`. News (announcements,
new cases, digests) also carries ``List-Unsubscribe`` (an https link and a mailto) with
``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058), and the same link
visibly in the text.
"""

from __future__ import annotations

import datetime
import functools
import logging
from collections.abc import Mapping
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import salted_hmac

from .emails import canonical_email
from .links import Link
from .models import Subscription

logger = logging.getLogger(__name__)


def mask_email(email: str) -> str:
    """``ana@example.org`` → ``a***@example.org``: enough to tell cases apart in a log."""
    local, sep, domain = (email or "").strip().rpartition("@")
    if not sep:
        return "***"
    return f"{local[:1]}***@{domain}"


# --- signed links -----------------------------------------------------------------------

# Stops updates on one case; it never expires (RFC 8058 asks links to keep working).
UNSUBSCRIBE_LINK: Link[tuple[int, int]] = Link(
    "campaigns.unsubscribe", parse=lambda data: (int(data["s"]), int(data["a"]))
)
# Manages (confirms, changes, cancels) one subscription while its token is current.
SUBSCRIPTION_LINK: Link[tuple[int, str]] = Link(
    "campaigns.subscription", parse=lambda data: (int(data["s"]), str(data["t"]))
)
# Opens one's data once, for a day.
DATA_LINK: Link[tuple[int, str]] = Link(
    "campaigns.my-data",
    max_age=lambda: settings.PLUMA_DATA_LINK_MAX_AGE,
    parse=lambda data: (int(data["s"]), str(data["n"])),
)


def make_unsubscribe_token(*, supporter_id: int, action_id: int) -> str:
    return UNSUBSCRIBE_LINK.make({"s": supporter_id, "a": action_id})


def read_unsubscribe_token(token: str) -> tuple[int, int] | None:
    return UNSUBSCRIBE_LINK.read_or_none(token)


def make_subscription_token(*, subscription_id: int, token: str) -> str:
    return SUBSCRIPTION_LINK.make({"s": subscription_id, "t": token})


def read_subscription_token(token: str) -> tuple[int, str] | None:
    return SUBSCRIPTION_LINK.read_or_none(token)


def make_data_token(*, supporter_id: int, nonce: str) -> str:
    return DATA_LINK.make({"s": supporter_id, "n": nonce})


def read_data_token(token: str) -> tuple[int, str] | None:
    """(supporter id, nonce) of an unexpired data link, else None."""
    return DATA_LINK.read_or_none(token)


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def url_in(language: str, name: str, **kwargs: object) -> str:
    """The full URL of the view ``name`` in ``language`` (its /es/ prefix, say)."""
    with translation.override(language):
        return absolute(reverse(name, kwargs=kwargs or None))


def unsubscribe_url(*, supporter_id: int, action_id: int, language: str) -> str:
    token = make_unsubscribe_token(supporter_id=supporter_id, action_id=action_id)
    return url_in(language, "campaigns:unsubscribe", token=token)


def subscription_url(
    *, subscription: Subscription, language: str, name: str = "campaigns:manage"
) -> str:
    token = make_subscription_token(subscription_id=subscription.pk, token=subscription.token)
    return url_in(language, name, token=token)


# --- sending ------------------------------------------------------------------------------


@functools.cache
def _has_template(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


def one_line(text: str) -> str:
    """Text fit for a header: line breaks (header injection needs one) and runs of spaces
    become one space."""
    return " ".join(str(text).split())


def within_daily_cap(address: str) -> bool:
    """Count one more form-asked email to ``address`` today; False once over the cap.

    PLUMA_EMAILS_PER_ADDRESS_DAY, whichever forms asked: nobody can use Pluma to flood an
    inbox by posting someone's address to every form. Counted in the shared cache by a
    keyed hash of the canonical address (no address in a cache key) and the day.
    """
    digest = salted_hmac("campaigns.mail.cap", canonical_email(address)).hexdigest()[:32]
    key = f"campaigns:mail-cap:{digest}:{datetime.date.today().isoformat()}"
    cache.add(key, 0, timeout=2 * 24 * 3600)
    try:
        sent = cache.incr(key)
    except ValueError:  # expired between the two calls: this is the first of the day
        cache.set(key, 1, timeout=2 * 24 * 3600)
        sent = 1
    return int(sent) <= settings.PLUMA_EMAILS_PER_ADDRESS_DAY


def send_template(
    *,
    template: str,
    to: str,
    language: str,
    context: Mapping[str, object],
    subject: str | None = None,
    unsubscribe: str = "",
    capped: bool = False,
) -> bool:
    """Render ``<template>_subject.txt``, ``<template>.txt`` and, when it exists,
    ``<template>.html`` in ``language`` and send them to ``to`` from DEFAULT_FROM_EMAIL.

    ``subject``, when given, is used instead of the subject template (announcements
    carry theirs). The context always has ``organisation``. With ``unsubscribe`` (the
    one-click https link) the email carries List-Unsubscribe with that link and a mailto
    whose subject is "unsubscribe <the link's token>", and List-Unsubscribe-Post.
    With ``capped`` (every email a public form asks for: confirmation links, new links,
    data links), nothing is sent once the address had its day's share
    (`within_daily_cap`). Returns whether the email went. Raises whatever the email
    backend raises: the calling task's retry policy decides.
    """
    if capped and not within_daily_cap(to):
        logger.info("Email %s to %s not sent: the day's cap", template, mask_email(to))
        return False
    headers = {}
    if unsubscribe:
        token = unsubscribe.rstrip("/").rpartition("/")[2]
        mailto = (
            f"mailto:{settings.PLUMA_UNSUBSCRIBE_EMAIL}?subject={quote('unsubscribe ' + token)}"
        )
        headers = {
            "List-Unsubscribe": f"<{unsubscribe}>, <{mailto}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    with translation.override(language):
        values = {"organisation": settings.ORGANISATION_NAME, **context}
        if subject is None:
            subject = render_to_string(f"{template}_subject.txt", values)
        message = EmailMultiAlternatives(
            subject=one_line(subject),
            body=render_to_string(f"{template}.txt", values),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
            headers=headers,
        )
        if _has_template(f"{template}.html"):
            message.attach_alternative(render_to_string(f"{template}.html", values), "text/html")
    message.send()
    return True
