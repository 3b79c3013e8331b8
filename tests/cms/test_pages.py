import datetime
import re

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.models import ActionTarget, UrgentAction
from tests.factories import (
    ActionTargetFactory,
    FollowUpFactory,
    FollowUpTextFactory,
    HandoverFactory,
    PetitionFactory,
    TargetFactory,
    UrgentActionFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def closed_case(closed_days_ago: int, **fields) -> UrgentAction:
    return UrgentActionFactory(
        status=UrgentAction.Status.CLOSED,
        issued_on=days(-100),
        deadline=days(-closed_days_ago),
        closed_at=timezone.now() - datetime.timedelta(days=closed_days_ago),
        **fields,
    )


def titles_in(html: str) -> list[str]:
    return re.findall(r'class="action-card__title"><a href="[^"]*">([^<]+)</a>', html)


# --- The case index -------------------------------------------------------------------


def test_index_lists_open_cases_by_nearest_deadline_then_recently_closed(client, add_action_page):
    add_action_page(closed_case(30, title="Closed long ago"))
    add_action_page(UrgentActionFactory(title="Open, late deadline", deadline=days(30)))
    add_action_page(closed_case(2, title="Closed recently"))
    add_action_page(UrgentActionFactory(title="Open, near deadline", deadline=days(3)))

    response = client.get("/actions/")

    assert response.status_code == 200
    assert titles_in(response.content.decode()) == [
        "Open, near deadline",
        "Open, late deadline",
        "Closed recently",
        "Closed long ago",
    ]


def test_index_leaves_out_unpublished_pages(client, add_action_page):
    page = add_action_page(UrgentActionFactory(title="Not yet public"))
    page.unpublish()

    assert "Not yet public" not in client.get("/actions/").content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("category=detention", ["Detention in Mexico"]),
        ("country=GT", ["Defender in Guatemala"]),
        ("status=closed", ["Closed in Mexico"]),
        ("status=open&country=MX", ["Detention in Mexico"]),
    ],
)
def test_index_filters_by_category_country_and_status(client, add_action_page, query, expected):
    add_action_page(UrgentActionFactory(title="Detention in Mexico", category="detention"))
    add_action_page(UrgentActionFactory(title="Defender in Guatemala", country="GT"))
    add_action_page(closed_case(5, title="Closed in Mexico"))

    response = client.get(f"/actions/?{query}")

    assert response.status_code == 200
    assert titles_in(response.content.decode()) == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("category=parking", "There is no category called “parking”."),
        ("country=XX", "“XX” is not a country code we know."),
        ("status=maybe", "The status must be open or closed."),
        ("page=abc", "The page number must be a whole number."),
    ],
)
def test_index_answers_a_bad_filter_with_400_and_a_message(client, add_action_page, query, message):
    add_action_page()

    response = client.get(f"/actions/?{query}")

    assert response.status_code == 400
    assert message in response.content.decode()
    assert titles_in(response.content.decode()) == []


def test_index_paginates_24_cases_a_page(client, add_action_page):
    for n in range(25):
        add_action_page(UrgentActionFactory(title=f"Case {n:02d}", deadline=days(10 + n)))

    first = client.get("/actions/").content.decode()
    second = client.get("/actions/?page=2").content.decode()

    assert len(titles_in(first)) == 24
    assert titles_in(second) == ["Case 24"]
    assert "page=2" in first


def test_index_query_count_does_not_grow_with_cases(
    client, add_action_page, django_assert_num_queries, settings
):
    settings.PAGE_CACHE_SECONDS = 0  # measure rendering, not the page cache
    for _n in range(3):
        add_action_page()
    client.get("/actions/")  # warm Wagtail's site-root cache and the frame's links

    with django_assert_num_queries(11):
        client.get("/actions/?status=open")
    for _n in range(6):
        add_action_page()
    client.get("/actions/")  # publishing forgot the frame's links
    with django_assert_num_queries(11):
        response = client.get("/actions/?status=open")
    assert len(titles_in(response.content.decode())) == 9


# --- A case page ----------------------------------------------------------------------


@pytest.fixture
def case_with_targets(add_action_page):
    action = UrgentActionFactory(
        number="58/20", title="Protect Ana", category="defenders", country="MX", deadline=days(12)
    )
    ActionTargetFactory(
        action=action,
        target=TargetFactory(
            name="Mauricio Vila",
            title="Gobernador del Estado de Yucatán",
            salutation="Señor Gobernador",
            email="gobernador@yucatan.example",
            postal_address="Palacio de Gobierno\nCalle 61, Mérida",
        ),
        tier=ActionTarget.Tier.PRIMARY,
    )
    ActionTargetFactory(
        action=action,
        target=TargetFactory(
            name="Secretaría de Gobernación",
            title="",
            salutation="Señora Secretaria",
            postal_address="Abraham González 48, CDMX",
        ),
        tier=ActionTarget.Tier.COPY,
    )
    return add_action_page(action, slug="58-20")


def test_case_page_shows_number_category_country_and_deadline(client, case_with_targets):
    html = client.get("/actions/58-20/").content.decode()

    assert "UA 58/20" in html
    assert "Protection of human rights defenders" in html
    assert "Mexico" in html
    assert f"Act before {days(12):%-d %B %Y}" in html
    assert "12 days left" in html


def test_case_page_lists_targets_by_tier_with_salutation_and_postal_address_not_email(
    client, case_with_targets
):
    html = client.get("/actions/58-20/").content.decode()

    write_to, copies = html.split("Send a copy to")
    assert "Mauricio Vila" in write_to and "Señor Gobernador" in write_to
    assert "Palacio de Gobierno<br>Calle 61, Mérida" in write_to
    assert "Secretaría de Gobernación" in copies and "Señora Secretaria" in copies
    assert "gobernador@yucatan.example" not in html


def test_case_page_notes_the_embassy_copy_only_when_the_case_has_one(client, add_action_page):
    add_action_page(UrgentActionFactory(writes_to_embassy=True, country="MX"), slug="with")
    add_action_page(UrgentActionFactory(writes_to_embassy=False), slug="without")

    note = "Letters are also copied to the embassy of Mexico in your own country."
    assert note in client.get("/actions/with/").content.decode()
    assert note not in client.get("/actions/without/").content.decode()


def test_case_page_shows_follow_ups_and_deadline_extensions_on_a_timeline(
    client, case_with_targets
):
    from campaigns.services import extend_deadline

    action = case_with_targets.action
    follow_up = FollowUpFactory(action=action, sequence=1, issued_on=TODAY)
    FollowUpTextFactory(follow_up=follow_up, language="en", title="Ana was threatened again")
    FollowUpTextFactory(follow_up=follow_up, language="es", title="Ana fue amenazada de nuevo")
    extend_deadline(action=action, new_deadline=days(40), reason="Talks go on.")

    html = client.get("/actions/58-20/").content.decode()

    assert "Further information on UA 58/20 (1)" in html
    assert "Ana was threatened again" in html
    assert "Ana fue amenazada" not in html
    assert f"Deadline moved from {days(12):%-d %B %Y} to {days(40):%-d %B %Y}." in html
    assert "Talks go on." in html


def test_case_page_queries_do_not_grow_with_targets_and_follow_ups(
    client, case_with_targets, settings
):
    settings.PAGE_CACHE_SECONDS = 0  # measure rendering, not the page cache
    action = case_with_targets.action
    FollowUpTextFactory(follow_up=FollowUpFactory(action=action, sequence=99))
    # Both measurements start from a cold cache: parts of the page (counts) are cached
    # for seconds, and whether they expired between the two requests is luck.
    cache.clear()
    caches["local"].clear()
    with CaptureQueriesContext(connection) as before:
        client.get("/actions/58-20/")
    for n in range(5):
        ActionTargetFactory(action=action, tier=ActionTarget.Tier.COPY)
        text = FollowUpTextFactory(follow_up=FollowUpFactory(action=action, sequence=n + 1))
        FollowUpTextFactory(follow_up=text.follow_up, language="es")
    cache.clear()
    caches["local"].clear()
    with CaptureQueriesContext(connection) as after:
        client.get("/actions/58-20/")

    assert len(after) == len(before)


def test_closed_case_shows_its_outcome_and_takes_no_actions(client, add_action_page):
    action = closed_case(
        3, outcome_kind=UrgentAction.OutcomeKind.GOOD_NEWS, outcome="Threats stopped."
    )
    add_action_page(action, slug="closed", outcome_summary="Ana is safe; protection restored.")

    html = client.get("/actions/closed/").content.decode()

    assert "outcome-banner" in html
    assert "Good news" in html
    assert "Ana is safe; protection restored." in html
    assert "no longer takes actions" in html
    assert "Act before" not in html


def test_closed_case_falls_back_to_the_case_outcome_text(client, add_action_page):
    action = closed_case(3, outcome_kind="no_further_action", outcome="Released on 3 May.")
    add_action_page(action, slug="closed")

    assert "Released on 3 May." in client.get("/actions/closed/").content.decode()


def test_open_case_has_a_take_action_section(client, case_with_targets):
    html = client.get("/actions/58-20/").content.decode()

    assert '<section id="take-action"' in html
    assert "no longer takes actions" not in html


def test_open_case_shows_handovers_impact_report_form_and_solidarity_link(
    client, case_with_targets, settings
):
    settings.PAGE_CACHE_SECONDS = 0
    action = case_with_targets.action
    PetitionFactory(action=action, allows_solidarity_messages=True)
    HandoverFactory(action=action, count_delivered=35000, place="Ottawa")

    html = client.get("/actions/58-20/").content.decode()

    assert "35,000 messages handed to" in html and "in Ottawa" in html
    take_action = html[html.index('<section id="take-action"') :]
    assert 'class="impact"' in take_action
    assert 'action="/petition/58-20/report/"' in take_action
    assert 'href="/petition/58-20/message/"' in take_action


def test_no_solidarity_link_when_the_petition_does_not_take_messages(
    client, case_with_targets, settings
):
    settings.PAGE_CACHE_SECONDS = 0
    PetitionFactory(action=case_with_targets.action, allows_solidarity_messages=False)

    html = client.get("/actions/58-20/").content.decode()

    assert "/petition/58-20/message/" not in html


def test_case_page_html_is_the_same_for_every_visitor_and_has_no_csrf_token(
    client, case_with_targets, settings, monkeypatch
):
    import time

    from django.test import Client

    settings.PAGE_CACHE_SECONDS = 0
    # The forms' start time is the rendering's: the same second, the same page.
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now)
    PetitionFactory(action=case_with_targets.action, allows_solidarity_messages=True)
    HandoverFactory(action=case_with_targets.action)

    first = client.get("/actions/58-20/").content.decode()
    second = Client().get("/actions/58-20/").content.decode()

    assert first == second
    assert "csrfmiddlewaretoken" not in first


# --- Home and standard pages -----------------------------------------------------------


def test_home_page_shows_the_six_latest_open_cases_and_links_the_index(client, add_action_page):
    for n in range(7):
        opened_at = timezone.now() - datetime.timedelta(days=n)
        add_action_page(UrgentActionFactory(title=f"Opened {n} days ago", opened_at=opened_at))
    add_action_page(closed_case(1, title="Closed one"))

    html = client.get("/").content.decode()

    assert "Write for rights." in html
    assert titles_in(html) == [f"Opened {n} days ago" for n in range(6)]
    assert 'href="/actions/"' in html


def test_footer_links_the_privacy_page(client, privacy):
    html = client.get("/").content.decode()

    assert 'href="/privacy/"' in html
    assert "We keep little." in client.get("/privacy/").content.decode()


def test_a_missing_page_gets_the_site_404(client, home):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_a_consent_given_with_a_letter_records_the_revision_the_site_shows(
    client, case_with_targets
):
    from campaigns.models import Consent
    from tests.factories import LetterTemplateFactory
    from tests.forms import started

    action = case_with_targets.action
    LetterTemplateFactory(case=action, language="es")
    official = action.action_targets.get(tier=ActionTarget.Tier.PRIMARY).target
    client.post(
        f"/letter/{action.slug}/write/",
        {
            "started": started(),
            "name": "Ana López",
            "email": "ana@example.net",
            "country": "CA",
            "targets": [official.pk],
            "consent": "on",
            "page_revision": "41",
        },
    )
    assert Consent.objects.get().page_revision_id == case_with_targets.live_revision_id != 41


def test_the_frames_links_follow_a_newly_published_privacy_page(client, home, index):
    from cms.models import StandardPage

    assert 'href="/privacy/"' not in client.get("/").content.decode()
    page = home.add_child(
        instance=StandardPage(title="Privacy", slug="privacy", body=[("paragraph", "<p>x</p>")])
    )
    page.save_revision().publish()

    assert 'href="/privacy/"' in client.get("/").content.decode()
