"""Every public view declares the HTTP methods it takes (campaigns/http.py); any other
method gets a 405 with an Allow header, never CSRF's 403."""

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from campaigns.http import allow, allowed_methods
from tests.factories import PetitionFactory, UrgentActionFactory
from tests.routes import Route, public_routes

pytestmark = pytest.mark.django_db

# Routes whose patterns are regular expressions: a path each resolves to.
PATHS = {"wagtail_serve": "/", "wagtaildocs_serve": "/documents/1/case.pdf"}
DUMMIES = {"IntConverter": "1", "StringConverter": "58-20"}


def path_of(route: Route) -> str:
    if route.key in PATHS:
        return PATHS[route.key]
    kwargs = {argument: DUMMIES[converter] for argument, converter in route.converters}
    return reverse(route.key, kwargs=kwargs or None)


def declared(route: Route) -> frozenset[str] | None:
    return allowed_methods(route.callback, route.name)


def test_every_public_route_declares_its_methods():
    undeclared = [route.key for route in public_routes() if declared(route) is None]
    assert not undeclared, (
        f"Declare what these take with campaigns.http.allow (or THIRD_PARTY_METHODS): {undeclared}"
    )


@pytest.mark.parametrize("route", public_routes(), ids=lambda route: route.key)
def test_a_method_a_public_view_does_not_take_is_a_405_with_allow(route):
    # CSRF checked, as for a browser: a PUT used to get its 403.
    client = Client(enforce_csrf_checks=True)
    allowed = declared(route)
    assert allowed is not None
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        if method in allowed:
            continue
        response = client.generic(method, path_of(route))
        assert response.status_code == 405, (method, route.key)
        assert set(response["Allow"].split(", ")) == allowed, (method, route.key)


def test_head_gets_what_get_gets(client):
    petition = PetitionFactory(action=UrgentActionFactory(number="58/20"))
    for path in (f"/petition/{petition.action.slug}/sign/", "/letter/58-20/thank-you/"):
        assert client.head(path).status_code == 200, path
        assert client.get(path).status_code == 200, path


def test_allow_answers_other_methods_with_405_and_says_which():
    @allow("POST")
    def view(request):
        return HttpResponse("done")

    request = RequestFactory().put("/")
    response = view(request)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert b"takes POST requests only" in response.content
    assert allowed_methods(view) == {"POST"}
    assert allowed_methods(allow("GET")(view)) == {"GET", "HEAD"}


def test_a_class_based_view_takes_what_it_has_a_handler_for_and_head_with_get():
    from django.views import View

    class Page(View):
        def get(self, request):
            return HttpResponse("page")

    assert allowed_methods(Page.as_view()) == {"GET", "HEAD", "OPTIONS"}
