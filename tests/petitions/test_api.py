import time

import pytest
from django.test import Client
from django.utils import translation

from petitions import abuse
from petitions.models import Signature
from tests.factories import UrgentActionFactory

pytestmark = pytest.mark.django_db


def test_session_gives_a_csrf_token_and_the_live_count_uncached(client):
    action = UrgentActionFactory()
    response = client.get(f"/api/v1/actions/{action.slug}/session/")
    assert response.status_code == 200
    assert response.json()["csrf"]
    assert response.json()["counts"]["total"] == 0
    assert "no-cache" in response["Cache-Control"] or "private" in response["Cache-Control"]
    assert "csrftoken" in response.cookies


def test_a_token_from_the_session_endpoint_is_what_the_signing_form_needs():
    action = UrgentActionFactory()
    browser = Client(enforce_csrf_checks=True)
    session = browser.get(f"/api/v1/actions/{action.slug}/session/").json()

    response = browser.post(
        f"/petition/{action.slug}/sign/",
        {
            "csrfmiddlewaretoken": session["csrf"],
            "name": "Ana López",
            "email": "ana@example.org",
            "country": "CA",
            "started": abuse.form_started_token(issued_at=time.time() - 60),
        },
    )

    assert response.status_code == 302
    assert Signature.objects.filter(action=action, is_flagged=False).count() == 1
    forged = Client(enforce_csrf_checks=True).post(
        f"/petition/{action.slug}/sign/", {"name": "Bot", "email": "bot@example.org"}
    )
    assert forged.status_code == 403


def test_a_returning_visitor_keeps_their_csrf_cookie(client):
    action = UrgentActionFactory()
    first = client.get(f"/api/v1/actions/{action.slug}/session/")

    again = client.get(f"/api/v1/actions/{action.slug}/session/")

    assert again.status_code == 200
    secret = first.cookies["csrftoken"].value
    assert again.cookies.get("csrftoken") is None or again.cookies["csrftoken"].value == secret


def test_the_session_endpoint_speaks_the_apis_language_and_takes_only_get(client):
    # As in a server thread whose last request was for a Spanish page.
    with translation.override("es"):
        missing = client.get("/api/v1/actions/99-99/session/", headers={"accept-language": "es"})

    assert missing.status_code == 404
    assert missing.json()["detail"] == "There is no case with number 99-99."
    action = UrgentActionFactory()
    assert client.post(f"/api/v1/actions/{action.slug}/session/").status_code == 405
