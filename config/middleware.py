"""The operators' endpoints, answered first: /healthz, /readyz (config/health.py) and
/metrics (config/metrics.py).

At the top of the stack, above security, the page cache, sessions, locale and auth (the
way petitions.middleware answers the session endpoint early): a probe costs none of them,
gets no language prefix, and an HTTPS redirect or a Host header a balancer sets to the
node's address never turns a probe into a 301 or a 400. Nothing here reads the Host
header, a cookie or the body.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

from . import health, metrics

ENDPOINTS: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/healthz": health.healthz,
    "/readyz": health.readyz,
    "/metrics": metrics.metrics,
}


class OperationsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = ENDPOINTS.get(request.path_info)
        if view is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = HttpResponseNotAllowed(["GET", "HEAD"])
            response._has_been_logged = True  # type: ignore[attr-defined]
            return response
        return view(request)
