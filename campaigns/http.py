"""The HTTP methods each public view takes, declared once, and a 405 for every other.

`allow("GET", "POST")` on a view answers any other method with 405 and an Allow header
(HEAD comes with GET, as HTTP asks). Declared on the view, the methods are also known to
`MethodNotAllowedMiddleware`, which runs before Django's CSRF check: without it, a PUT or
a DELETE to a page that is not CSRF-exempt got CSRF's 403, as if the request were
forged rather than of a kind the address never takes. Class-based views declare theirs
with `http_method_names`; the few third-party views mounted on the public site are
listed in THIRD_PARTY_METHODS.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

V = TypeVar("V", bound=Callable[..., HttpResponse])

# Third-party views of the public site, by URL name: Wagtail's pages and documents are
# only read (every form of a page posts to a view of its own), its password forms post
# to themselves, and Django's language switch changes the language only on POST.
THIRD_PARTY_METHODS: dict[str, tuple[str, ...]] = {
    "wagtail_serve": ("GET",),
    "wagtaildocs_serve": ("GET",),
    "wagtailcore_authenticate_with_password": ("GET", "POST"),
    "wagtaildocs_authenticate_with_password": ("GET", "POST"),
    "set_language": ("POST",),
}


# The function `allow` made for each view, and what it takes. The view the URLconf holds
# may be wrapped again (csrf_exempt, never_cache): functools.wraps leads back here.
_declared: dict[Callable[..., Any], frozenset[str]] = {}


def _with_head(methods: Iterable[str]) -> frozenset[str]:
    declared = frozenset(method.upper() for method in methods)
    return declared | {"HEAD"} if "GET" in declared else declared


def not_allowed(allowed: Iterable[str]) -> HttpResponseNotAllowed:
    """405 with the Allow header, and a line saying so for whoever reads it."""
    methods = sorted(allowed)
    return HttpResponseNotAllowed(
        methods,
        f"This address takes {', '.join(methods)} requests only.",
        content_type="text/plain; charset=utf-8",
    )


def allow(*methods: str) -> Callable[[V], V]:
    """Decorate a view with the methods it takes; any other gets a 405 with Allow."""
    allowed = _with_head(methods)

    def decorator(view: V) -> V:
        @functools.wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in allowed:
                return not_allowed(allowed)
            return view(request, *args, **kwargs)

        _declared[checked] = allowed
        return cast(V, checked)

    return decorator


def allowed_methods(view: Callable[..., Any], url_name: str | None = None) -> frozenset[str] | None:
    """The methods ``view`` (resolved from the URL named ``url_name``) declares, or None."""
    inner = inspect.unwrap(view, stop=lambda wrapper: wrapper in _declared)
    if inner in _declared:
        return _declared[inner]
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        # As View.setup does, a view with get answers head.
        return _with_head(
            method for method in view_class.http_method_names if hasattr(view_class, method)
        )
    if url_name in THIRD_PARTY_METHODS:
        return _with_head(THIRD_PARTY_METHODS[url_name])
    return None


class MethodNotAllowedMiddleware:
    """A method the view does not take gets 405 before CSRF's check can say 403.

    Goes before django.middleware.csrf.CsrfViewMiddleware: its process_view runs first.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        match = request.resolver_match
        allowed = allowed_methods(view, match.url_name if match else None)
        if allowed is not None and request.method not in allowed:
            return not_allowed(allowed)
        return None
