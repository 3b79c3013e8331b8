import time

import pytest
from django.test import Client
from django.utils import timezone, translation

from campaigns.models import UrgentAction
from petitions import abuse, counts, services, tokens
from petitions.models import Signature
from tests.factories import PetitionFactory, SignatureFactory, UrgentActionFactory

pytestmark = pytest.mark.django_db


def test_case_detail_gives_number_title_status_deadline_and_counts(client):
    petition = PetitionFactory(action__number="58/20", goal=500)
    for signature in SignatureFactory.create_batch(3, action=petition.action):
        services.confirm_signature(
            token=tokens.make_token(signature_id=signature.pk, nonce=signature.nonce)
        )
    counts.forget(petition.action.pk)

    response = client.get("/api/v1/actions/58-20/")

    assert response.status_code == 200
    assert "max-age=5" in response["Cache-Control"]
    data = response.json()
    assert data["number"] == "58/20"
    assert data["slug"] == "58-20"
    assert data["title"] == petition.action.title
    assert data["status"] == "open"
    assert data["deadline"] == petition.action.deadline.isoformat()
    assert "url" in data
    assert data["counts"] == {"online": 3, "paper": 0, "total": 3, "goal": 500}


def test_case_list_shows_public_cases_open_first(client, django_assert_max_num_queries):
    open_case = UrgentActionFactory()
    closed = UrgentActionFactory(status=UrgentAction.Status.CLOSED, closed_at=timezone.now())
    UrgentActionFactory(status=UrgentAction.Status.DRAFT)

    response = client.get("/api/v1/actions/")

    assert response.status_code == 200
    numbers = [a["number"] for a in response.json()["actions"]]
    assert numbers == [open_case.number, closed.number]
    assert response.json()["actions"][0]["counts"]["goal"] is None


@pytest.mark.parametrize("slug", ["99-99", "not-a-number", "58"])
def test_unknown_case_is_a_json_404(client, slug):
    response = client.get(f"/api/v1/actions/{slug}/")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_draft_cases_are_not_public(client):
    draft = UrgentActionFactory(status=UrgentAction.Status.DRAFT)
    assert client.get(f"/api/v1/actions/{draft.slug}/").status_code == 404


def test_openapi_describes_the_endpoints(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.1")
    assert set(spec["paths"]) == {"/actions/", "/actions/{number}/"}


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
