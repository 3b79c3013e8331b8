"""Where a case is presented to the public: its page's address and the revision shown.

Pages are the site layer's (cms), which depends on campaigns and not the other way round.
So cms registers a `CasePages` at start-up (CmsConfig.ready), as the apps register their
privacy providers, and every app below asks here: for the link in an email, the `url`
of the API, the revision a consent was given on.
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.core.cache import cache, caches

from .models import UrgentAction

# How long a case's address is kept in the shared cache: emails and the API ask for it
# once per message, and a page moves rarely (publishing forgets it: cms/cache.py).
URL_CACHE_SECONDS = 60
_MISSING = object()


class CasePages(Protocol):
    def path(self, action: UrgentAction, language: str) -> str | None:
        """The path of the live page presenting ``action`` in ``language`` (else in the
        site's language), or None when no page presents it."""
        ...

    def live_revision_id(self, action: UrgentAction, language: str) -> int | None:
        """The revision a visitor of that page sees now, or None."""
        ...


_pages: CasePages | None = None


def register(pages: CasePages) -> None:
    global _pages
    _pages = pages


def _key(action_id: int, language: str) -> str:
    return f"campaigns:page-url:{action_id}:{language}"


def case_url(action: UrgentAction, language: str | None = None) -> str:
    """Full URL of the case's public page, or '' while none is live; cached a minute.

    On SITE_URL, like every other link we send: the Wagtail Site's own host name is
    whatever the database was set up with (``localhost`` on a fresh install).
    """
    language = language or settings.LANGUAGE_CODE
    key = _key(action.pk, language)
    url: str | None = cache.get(key)
    if url is None:
        path = _pages.path(action, language) if _pages is not None else None
        url = settings.SITE_URL + path if path else ""
        cache.set(key, url, URL_CACHE_SECONDS)
    return url


def forget_case_url(action_id: int) -> None:
    cache.delete_many([_key(action_id, code) for code, _name in settings.LANGUAGES])
    caches["local"].delete_many(
        [_revision_key(action_id, code) for code, _name in settings.LANGUAGES]
    )


# Signing records the revision shown with every consent: each web process keeps what it
# read this long (publishing forgets this process's copy at once: cms/signals.py).
REVISION_LOCAL_SECONDS = 2


def _revision_key(action_id: int, language: str) -> str:
    return f"campaigns:page-revision:{action_id}:{language}"


def live_revision_id(action: UrgentAction, language: str) -> int | None:
    """The revision of the case page a visitor in ``language`` is shown now: what a
    consent given on that page records (never a revision the browser names)."""
    if _pages is None:
        return None
    local = caches["local"]
    key = _revision_key(action.pk, language)
    found = local.get(key, _MISSING)
    if found is _MISSING:
        found = _pages.live_revision_id(action, language)
        local.set(key, found, REVISION_LOCAL_SECONDS)
    return found if isinstance(found, int) else None
