"""The signing form's session endpoint, answered near the top of the middleware stack.

Every visitor of a case page with scripts on fetches /api/v1/actions/<number>/session/
once (the form's signed start time and the live count: petitions/api.py), so during a
peak it is half of all the requests signing makes. It reads no cookie, session, user or
message, and speaks the API's one language, so it is answered here, below security,
static files and the page cache and above the rest of the stack, which cost it about as
much CPU as the endpoint itself (bench/README.md).
"""

import functools
import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
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
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        match = _session_path().fullmatch(request.path)
        if match is None:
            return self.get_response(request)
        with translation.override(settings.LANGUAGE_CODE):
            return api.session(request, match["slug"])
