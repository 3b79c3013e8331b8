"""The signing form's session endpoint, answered near the top of the middleware stack.

Every visitor of a case page fetches /api/v1/actions/<number>/session/ once (its CSRF
token, the form's signed start time and the live count: petitions/api.py), so during a
peak it is half of all the requests signing makes. It reads no session, user or
message, and speaks the API's one language, so it is answered here, below security,
static files and the page cache and above the rest of the stack, which cost it about as
much CPU as the endpoint itself (bench/README.md). The CSRF middleware still does its part:
it reads the visitor's CSRF cookie, and sets it on the way out.
"""

import functools
import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse
from django.utils import translation

from . import api

_PLACEHOLDER = "--slug--"


@functools.cache
def _session_path() -> re.Pattern:
    """The endpoint's path, from the URLconf so the two cannot disagree."""
    path = reverse("petitions_api:session", kwargs={"slug": _PLACEHOLDER})
    before, _, after = path.partition(_PLACEHOLDER)
    return re.compile(f"{re.escape(before)}(?P<slug>[^/]+){re.escape(after)}")


class SessionEndpointMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        match = _session_path().fullmatch(request.path)
        if match is None:
            return self.get_response(request)
        self.csrf.process_request(request)
        with translation.override(settings.LANGUAGE_CODE):
            response = api.session(request, match["slug"])
        return self.csrf.process_response(request, response)
