import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 30
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def case_page(add_action_page):
    return add_action_page(title="Defenders threatened in Guerrero")


def get_counting_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, len(queries)


def test_second_anonymous_view_of_a_case_page_makes_no_query(client, case_page):
    first, first_queries = get_counting_queries(client, case_page.url)
    second, second_queries = get_counting_queries(client, case_page.url)

    assert first.status_code == second.status_code == 200
    assert first_queries > 0
    assert second_queries == 0
    assert second.content == first.content
    assert "public" in second["Cache-Control"]
    assert "max-age=30" in second["Cache-Control"]


def test_cached_case_page_carries_no_visitor_state(client, case_page):
    client.get(case_page.url)
    response = client.get(case_page.url)

    assert not response.cookies
    assert b"csrfmiddlewaretoken" not in response.content


def test_a_logged_in_editor_never_gets_the_cached_page(client, case_page):
    client.get(case_page.url)  # stored for anonymous visitors
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response, queries = get_counting_queries(client, case_page.url)

    assert response.status_code == 200
    assert queries > 0
    assert "private" in response["Cache-Control"]


def test_a_page_an_editor_saw_is_not_stored_for_anonymous_visitors(client, case_page):
    editor = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(editor)
    client.get(case_page.url)
    client.logout()
    client.cookies.clear()

    _response, queries = get_counting_queries(client, case_page.url)

    assert queries > 0


def test_publishing_a_page_shows_the_new_version_at_once(client, case_page):
    client.get(case_page.url)
    case_page.title = "Defenders safe again"
    case_page.save_revision().publish()

    response = client.get(case_page.url)

    assert "Defenders safe again" in response.content.decode()


def test_an_edited_case_shows_on_its_page_at_once(client, case_page):
    client.get(case_page.url)
    action = case_page.action
    action.deadline = datetime.date(2031, 3, 14)
    action.save()

    response = client.get(case_page.url)

    assert "14 March 2031" in response.content.decode()


def test_the_session_endpoint_is_never_cached(case_page):
    url = f"/api/v1/actions/{case_page.action.slug}/session/"

    first, second = Client().get(url), Client().get(url)

    # A start time as of each request (never one a shared cache kept), and no cookie.
    assert first.status_code == second.status_code == 200
    assert "no-store" in second["Cache-Control"]
    assert not first.cookies and not second.cookies


def test_a_missing_page_is_not_stored(client, case_page):
    client.get("/no-such-page/")

    response, queries = get_counting_queries(client, "/no-such-page/")

    assert response.status_code == 404
    assert queries > 0


def test_a_post_to_a_page_is_never_answered_from_the_cache(client, case_page):
    client.get(case_page.url)

    response = client.post(case_page.url, {})

    # Pages take no posts (campaigns/http.py); the cached page would have been a 200.
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_page_cache_is_off_when_page_cache_seconds_is_zero(client, case_page, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client.get(case_page.url)

    _response, queries = get_counting_queries(client, case_page.url)

    assert queries > 0


def test_closing_a_case_through_the_services_purges_its_page(
    client, case_page, django_capture_on_commit_callbacks
):
    from campaigns import services
    from campaigns.models import UrgentAction

    client.get(case_page.url)
    assert get_counting_queries(client, case_page.url)[1] == 0
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.close_action(
            action=case_page.action, outcome_kind=UrgentAction.OutcomeKind.DEADLINE_PASSED
        )
    # Not before the commit: a render then would store the old state again.
    assert get_counting_queries(client, case_page.url)[1] == 0
    for callback in callbacks:
        callback()

    response, queries = get_counting_queries(client, case_page.url)

    assert response.status_code == 200 and queries > 0


@pytest.mark.parametrize("change", ["open", "reopen", "extend"])
def test_every_status_change_by_the_services_purges(
    client, case_page, change, django_capture_on_commit_callbacks
):
    from campaigns import services
    from campaigns.models import UrgentAction

    action = case_page.action
    if change == "open":
        UrgentAction.objects.filter(pk=action.pk).update(status=UrgentAction.Status.DRAFT)
        action.refresh_from_db()
    elif change == "reopen":
        services.close_action(action=action, outcome_kind=UrgentAction.OutcomeKind.GOOD_NEWS)
    client.get(case_page.url)
    with django_capture_on_commit_callbacks(execute=True):
        if change == "open":
            assert services.open_action(action=action)
        elif change == "reopen":
            assert services.reopen_action(action=action)
        else:
            new = action.deadline + datetime.timedelta(days=7)
            assert services.extend_deadline(action=action, new_deadline=new)

    assert get_counting_queries(client, case_page.url)[1] > 0


def test_a_handover_or_a_published_reply_purges_the_case_page(client, case_page):
    from tests.factories import HandoverFactory

    client.get(case_page.url)
    HandoverFactory(action=case_page.action)
    assert get_counting_queries(client, case_page.url)[1] > 0

    from replies.models import InboundMessage, Reply

    assert get_counting_queries(client, case_page.url)[1] == 0
    inbound = InboundMessage.objects.create(fingerprint="f" * 64, raw=b"")
    Reply.objects.create(inbound=inbound, case=case_page.action, subject="Answer")
    assert get_counting_queries(client, case_page.url)[1] > 0


def _rendering_elsewhere(client, url):
    """Hold the page's render lock, as a request rendering it on another node would."""
    from cms import cache as page_cache_module

    response = client.get(url)
    key = page_cache_module._key(response.wsgi_request)
    assert cache.add(f"{key}:rendering", 1, 10)
    return key


def test_while_another_request_renders_a_purged_page_the_old_copy_stands_in(client, case_page):
    from cms.cache import purge

    client.get(case_page.url)
    key = _rendering_elsewhere(client, case_page.url)
    purge()

    response, queries = get_counting_queries(client, case_page.url)
    assert response.status_code == 200
    assert queries == 0
    assert "Defenders threatened in Guerrero" in response.content.decode()

    cache.delete(f"{key}:rendering")
    case_page.title = "Defenders safe again"
    case_page.save_revision().publish()
    response, queries = get_counting_queries(client, case_page.url)
    assert queries > 0
    assert "Defenders safe again" in response.content.decode()


def test_an_expired_copy_is_rendered_afresh_by_the_first_request(client, case_page, monkeypatch):
    import time

    client.get(case_page.url)
    later = time.time() + 31
    monkeypatch.setattr(time, "time", lambda: later)

    _response, queries = get_counting_queries(client, case_page.url)
    assert queries > 0
    _response, queries = get_counting_queries(client, case_page.url)
    assert queries == 0


def test_a_page_served_from_the_cache_carries_the_same_security_headers(client, case_page):
    first = client.get(case_page.url)
    second, queries = get_counting_queries(client, case_page.url)

    assert queries == 0  # from the cache
    for header in ("Content-Security-Policy", "Permissions-Policy", "X-Frame-Options"):
        assert second[header] == first[header]
    assert "nonce" not in second["Content-Security-Policy"]
