"""The case's public address in emails and the API (campaigns.pages.case_url)."""

import pytest

from campaigns.pages import case_url
from tests.factories import UrgentActionFactory

pytestmark = pytest.mark.django_db


def test_case_url_is_on_site_url_whatever_the_wagtail_site_is_called(settings, add_action_page):
    settings.SITE_URL = "https://pluma.example.org"
    action = UrgentActionFactory(number="58/20")
    page = add_action_page(action)
    url = case_url(action)
    assert url == "https://pluma.example.org" + page.get_url_parts()[2]
    assert "localhost" not in url


def test_api_gives_the_case_url_on_site_url(client, settings, add_action_page):
    settings.SITE_URL = "https://pluma.example.org"
    action = UrgentActionFactory(number="58/20")
    add_action_page(action)
    data = client.get("/api/v1/actions/58-20/").json()
    assert data["url"].startswith("https://pluma.example.org/")


def test_a_case_without_a_live_page_has_no_url():
    assert case_url(UrgentActionFactory()) == ""
