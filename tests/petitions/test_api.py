import time

import pytest
from django.test import Client
from django.utils import translation

from campaigns import defences
from petitions.models import Signature
from tests.factories import UrgentActionFactory

pytestmark = pytest.mark.django_db


def test_session_gives_a_fresh_start_time_and_the_live_count_uncached_and_no_cookie(client):
    action = UrgentActionFactory()
    response = client.get(f"/api/v1/actions/{action.slug}/session/")
    assert response.status_code == 200
    data = response.json()
    assert defences.STARTED.read(data["started"]) >= time.time() - 5
    assert data["counts"]["total"] == 0 and "csrf" not in data
    assert "no-cache" in response["Cache-Control"] or "private" in response["Cache-Control"]
    assert not response.cookies


def test_signing_needs_no_session_cookie_or_token_from_this_site():
    action = UrgentActionFactory()
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(
        f"/petition/{action.slug}/sign/",
        {
            "name": "Ana López",
            "email": "ana@example.org",
            "country": "CA",
            "started": defences.form_started_token(issued_at=time.time() - 60),
        },
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 302
    assert Signature.objects.filter(action=action, is_flagged=False).count() == 1
    forged = Client(enforce_csrf_checks=True).post(
        f"/petition/{action.slug}/sign/",
        {
            "name": "Bot",
            "email": "bot@example.org",
            "country": "CA",
            "started": defences.form_started_token(issued_at=time.time() - 60),
        },
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert forged.status_code == 400
    assert not Signature.objects.filter(supporter__email="bot@example.org").exists()


def test_the_session_endpoint_speaks_the_apis_language_and_takes_only_get(client):
    # As in a server thread whose last request was for a Spanish page.
    with translation.override("es"):
        missing = client.get("/api/v1/actions/99-99/session/", headers={"accept-language": "es"})

    assert missing.status_code == 404
    assert missing.json()["detail"] == "There is no case with number 99-99."
    action = UrgentActionFactory()
    assert client.post(f"/api/v1/actions/{action.slug}/session/").status_code == 405
