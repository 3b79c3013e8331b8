"""Email to supporters: signed links, one-click unsubscribe headers, masked addresses in logs.

Every email Pluma sends a supporter about news (announcements, new cases, digests) goes
through ``send_to_supporter``, so each carries ``List-Unsubscribe`` (an https link and a
mailto) with ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058), and the
same link visibly in the text.
"""

from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from wagtail.models import Page

from .models import UrgentAction

UNSUBSCRIBE_SALT = "campaigns.unsubscribe"
SUBSCRIPTION_SALT = "campaigns.subscription"
DATA_SALT = "campaigns.my-data"


def mask_email(email: str) -> str:
    """``ana@example.org`` → ``a***@example.org``: enough to tell cases apart in a log."""
    local, sep, domain = (email or "").strip().rpartition("@")
    if not sep:
        return "***"
    return f"{local[:1]}***@{domain}"


# --- signed tokens ----------------------------------------------------------------------


def make_unsubscribe_token(*, supporter_id: int, action_id: int) -> str:
    """Stops updates on one case; it never expires (RFC 8058 asks links to keep working)."""
    return signing.dumps({"s": supporter_id, "a": action_id}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, int] | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return int(data["s"]), int(data["a"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def make_subscription_token(*, subscription_id: int, token: str) -> str:
    """Manages (confirms, changes, cancels) one subscription while its token is current."""
    return signing.dumps({"s": subscription_id, "t": token}, salt=SUBSCRIPTION_SALT)


def read_subscription_token(token: str) -> tuple[int, str] | None:
    try:
        data = signing.loads(token, salt=SUBSCRIPTION_SALT)
        return int(data["s"]), str(data["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def make_data_token(*, supporter_id: int, nonce: str) -> str:
    return signing.dumps({"s": supporter_id, "n": nonce}, salt=DATA_SALT)


def read_data_token(token: str) -> tuple[int, str] | None:
    """(supporter id, nonce) of an unexpired data link, else None."""
    try:
        data = signing.loads(token, salt=DATA_SALT, max_age=settings.PLUMA_DATA_LINK_MAX_AGE)
        return int(data["s"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


# --- links --------------------------------------------------------------------------------


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def url_in(language: str, name: str, **kwargs) -> str:
    with translation.override(language):
        return absolute(reverse(name, kwargs=kwargs or None))


def unsubscribe_url(*, supporter_id: int, action_id: int, language: str) -> str:
    token = make_unsubscribe_token(supporter_id=supporter_id, action_id=action_id)
    return url_in(language, "campaigns:unsubscribe", token=token)


def subscription_url(*, subscription, language: str, name: str = "campaigns:manage") -> str:
    token = make_subscription_token(subscription_id=subscription.pk, token=subscription.token)
    return url_in(language, name, token=token)


def case_page(action: UrgentAction, language: str | None = None) -> Page | None:
    """The live page presenting ``action`` in ``language`` (else the site's), or None.

    Any Wagtail page model with a foreign key to UrgentAction presents that case; it is
    found through the model's metadata, since campaigns may not import cms.
    """
    language = language or settings.LANGUAGE_CODE
    for rel in UrgentAction._meta.related_objects:
        if not (rel.one_to_many and issubclass(rel.related_model, Page)):
            continue
        pages = rel.related_model.objects.live().filter(**{rel.field.name: action})
        page = (
            pages.filter(locale__language_code=language).first()
            or pages.filter(locale__language_code=settings.LANGUAGE_CODE).first()
        )
        if page is not None:
            return page
    return None


def case_url(action: UrgentAction, language: str | None = None) -> str:
    """Full URL of the live page presenting ``action`` (see case_page), or ''; cached a minute.

    On SITE_URL, like every other link we send: the Wagtail Site's own host name is
    whatever the database was set up with (``localhost`` on a fresh install).
    """
    language = language or settings.LANGUAGE_CODE
    key = f"campaigns:page-url:{action.pk}:{language}"
    url = cache.get(key)
    if url is None:
        page = case_page(action, language)
        parts = page.get_url_parts() if page is not None else None
        url = settings.SITE_URL + parts[2] if parts else ""
        cache.set(key, url, 60)
    return url


# --- sending ------------------------------------------------------------------------------


def send_to_supporter(*, to: str, subject: str, body: str, unsubscribe: str) -> None:
    """Send one plain-text email with one-click unsubscribe pointing at ``unsubscribe``.

    ``unsubscribe`` is the https link; the mailto carries the same signed token as its
    subject for mail clients that only offer mailto.
    """
    token = unsubscribe.rstrip("/").rpartition("/")[2]
    mailto = f"mailto:{settings.PLUMA_UNSUBSCRIBE_EMAIL}?subject={quote('unsubscribe ' + token)}"
    EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>, <{mailto}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    ).send()
