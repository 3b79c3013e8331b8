import pytest
from django.utils import timezone

from campaigns.models import UrgentAction
from petitions import counts, services, tokens
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


def test_openapi_describes_every_api_route_with_its_parameter_names(client):
    import re

    from django.urls import get_resolver

    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.1")
    routes = set()
    for prefix in get_resolver().url_patterns:
        if str(prefix.pattern) != "api/v1/":
            continue
        for included in prefix.url_patterns:
            route = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(included.pattern))
            if route != "/openapi.json":
                routes.add(route)
    assert set(spec["paths"]) == routes
    for path, operations in spec["paths"].items():
        named = {p["name"] for op in operations.values() for p in op.get("parameters", [])}
        assert named == set(re.findall(r"{(\w+)}", path)), path
