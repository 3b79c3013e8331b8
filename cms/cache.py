"""A short-lived shared cache of the pages anonymous visitors read.

A case in the news brings tens of thousands of people refreshing the same page. Its HTML
is the same for all of them (the signing form's CSRF token and the live count come from
the session endpoint), so the web nodes serve it from the cache (Redis, shared by all
nodes) without touching the database, and tell CDNs they may keep it as long.

What is never stored: anything but a 200 from Wagtail's page view (so never the admin,
the API, the signing views or a POST), a response that sets a cookie, varies on the
cookie or says private / no-store (Wagtail's restricted pages), and anything served to a
request carrying a session or messages cookie (a logged-in editor, a visitor with a
flash message); those requests skip the cache both ways.

Publishing, unpublishing, moving or deleting a page, or saving what a case page shows,
starts a new generation: entries of older generations are out of date, so visitors see
the change on their next view on every node (editors, logged in, never get the cache).
Other changes show within PAGE_CACHE_SECONDS.

An out-of-date copy is kept a little longer (STALE_SECONDS) to stand in while one
request renders the page afresh: a purge in the middle of a peak costs one render, not
one per visitor arriving during it (a render takes 50–130 ms and 20-odd queries).
"""

import functools
import hashlib
import time

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.urls import get_resolver
from django.urls.resolvers import RoutePattern
from django.utils.cache import has_vary_header, patch_cache_control
from wagtail.signals import page_published, page_unpublished, post_page_move

GENERATION_KEY = "pages:generation"
SERVE_VIEW = "wagtail_serve"
NOT_SHARED = ("private", "no-store", "no-cache")
# An out-of-date copy stands in this long after it expires, while one request renders;
# that request holds the page's render lock for at most RENDER_LOCK_SECONDS.
STALE_SECONDS = 60
RENDER_LOCK_SECONDS = 10


def seconds() -> int:
    return getattr(settings, "PAGE_CACHE_SECONDS", 0)


@functools.cache
def _never_pages() -> tuple[str, ...]:
    """Path prefixes the URLconf gives to other views before Wagtail (admin/, api/v1/…).

    Requests there skip the cache lookup: the session endpoint is fetched by every
    visitor of a case page and should not pay a round trip for nothing.
    """
    prefixes = [settings.STATIC_URL]
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern.pattern, RoutePattern):
            literal = str(pattern.pattern).split("<", 1)[0]
            if literal:
                prefixes.append("/" + literal)
    return tuple(prefixes)


def _is_anonymous_read(request: HttpRequest) -> bool:
    cookies = request.COOKIES
    return (
        request.method in ("GET", "HEAD")
        and not request.path.startswith(_never_pages())
        and settings.SESSION_COOKIE_NAME not in cookies
        and CookieStorage.cookie_name not in cookies
        and "HTTP_AUTHORIZATION" not in request.META
    )


def _is_page(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and match.url_name == SERVE_VIEW


def _is_shareable(response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not has_vary_header(response, "Cookie")
        and not any(word in cache_control for word in NOT_SHARED)
    )


def _key(request: HttpRequest) -> str:
    # The language is part of the path (English at /, Spanish under /es/), so host and
    # full path name the page; hashed because query strings are unbounded.
    url = f"{request.get_host()}{request.get_full_path()}"
    return "pages:" + hashlib.sha256(url.encode()).hexdigest()


def _freeze(generation: int, fresh_until: float, response: HttpResponse) -> tuple:
    return (generation, fresh_until, response.status_code, list(response.items()), response.content)


def _is_fresh(stored: tuple, generation: int) -> bool:
    return stored[0] == generation and stored[1] > time.time()


def _thaw(stored: tuple) -> HttpResponse:
    _generation, _fresh_until, status, headers, content = stored
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    return response


class PageCacheMiddleware:
    """Serve anonymous GETs of Wagtail pages from the shared cache; store fresh ones.

    Sits right after WhiteNoise: a hit costs one cache round trip and none of the
    session, locale, CSRF or Wagtail work below it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timeout = seconds()
        if not timeout or not _is_anonymous_read(request):
            response = self.get_response(request)
            if _is_page(request) and "Cache-Control" not in response:
                # A page seen with a session may show more than the public one.
                patch_cache_control(response, private=True)
            return response
        key = _key(request)
        # One round trip for both: the stored page and the generation it must belong to.
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY, 0)
        stored = found.get(key)
        if stored is not None and _is_fresh(stored, generation):
            return _thaw(stored)
        lock = f"{key}:rendering"
        if stored is not None and not cache.add(lock, 1, RENDER_LOCK_SECONDS):
            # Another request is rendering this page afresh; the old copy stands in.
            return _thaw(stored)
        try:
            response = self.get_response(request)
            if request.method == "GET" and _is_page(request) and _is_shareable(response):
                patch_cache_control(response, public=True, max_age=timeout)
                # Stored under the generation read before rendering: a publish during the
                # render makes this copy out of date at once.
                frozen = _freeze(generation, time.time() + timeout, response)
                cache.set(key, frozen, timeout + STALE_SECONDS)
            elif _is_page(request) and "Cache-Control" not in response:
                patch_cache_control(response, private=True)
        finally:
            if stored is not None:
                cache.delete(lock)
        return response


def purge() -> None:
    """Start a new generation: every page cached so far is rendered afresh on next view."""
    cache.set(GENERATION_KEY, time.time_ns(), None)


def _purge_on_signal(sender, **kwargs) -> None:
    purge()


# What a case page shows besides the page itself; signatures and supporters are not here
# (counts are refreshed by the page's script), so signing never purges.
CASE_MODELS = (
    "campaigns.UrgentAction",
    "campaigns.ActionTarget",
    "campaigns.Target",
    "campaigns.FollowUp",
    "campaigns.FollowUpText",
    "campaigns.DeadlineExtension",
    "petitions.Petition",
    "petitions.PetitionText",
    "handovers.Handover",
    "replies.Reply",
)


def connect() -> None:
    from wagtail.models import Page

    from campaigns.signals import action_changed

    page_published.connect(_purge_on_signal, dispatch_uid="cms.cache.published")
    page_unpublished.connect(_purge_on_signal, dispatch_uid="cms.cache.unpublished")
    post_page_move.connect(_purge_on_signal, dispatch_uid="cms.cache.moved")
    post_delete.connect(_purge_on_signal, sender=Page, dispatch_uid="cms.cache.page_deleted")
    # Opening, closing, reopening and extending are UPDATEs, which send no post_save.
    action_changed.connect(_purge_on_signal, dispatch_uid="cms.cache.action_changed")
    for label in CASE_MODELS:
        # Model signals take "app_label.Model" and resolve it once the app is ready.
        for signal in (post_save, post_delete):
            signal.connect(_purge_on_signal, sender=label, dispatch_uid=f"cms.cache.{label}")
