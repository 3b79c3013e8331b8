"""A case's sources in the admin (actions.admin_views): the trending page, the invalidation
form with its preview, reversing, the log, and who may do what."""

import itertools

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import ModelLogEntry

from campaigns.models import Invalidation
from letters.models import Letter
from petitions import counts
from petitions.models import Signature
from tests.factories import (
    ConfirmedSignatureFactory,
    LetterFactory,
    SupporterFactory,
    UserFactory,
    admin_user,
)

pytestmark = pytest.mark.django_db

BOTNET = "203.0.113.0/24"
_serial = itertools.count()


def member_of(group_name):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture(autouse=True)
def _threshold(settings):
    settings.PLUMA_TRENDING_THRESHOLD = 3


@pytest.fixture
def organizer():
    return member_of("Organizers")


@pytest.fixture
def organizer_client(client, organizer):
    client.force_login(organizer)
    return client


@pytest.fixture
def botnet(case):
    for _ in range(4):
        ConfirmedSignatureFactory(
            action=case,
            supporter=SupporterFactory(email=f"b{next(_serial)}@bots.example"),
            network=BOTNET,
            email_domain="bots.example",
        )
    ConfirmedSignatureFactory(action=case, network="198.51.100.0/24", email_domain="example.net")
    LetterFactory(case=case, network=BOTNET, email_domain="bots.example")
    counts.reconcile(action_id=case.pk)


def sources_url(case):
    return reverse("case_dashboard:sources", args=[case.pk])


def invalidate_url(case):
    return reverse("case_dashboard:invalidate", args=[case.pk])


def form(**changes):
    return {
        "kind": "network",
        "source": "203.0.113.77",  # an address: its /24 is meant
        "since": "",
        "until": "",
        "reason": "Four sign-ups a second from one hosting network.",
        **changes,
    }


def test_organizers_see_the_busiest_sources_with_their_counts(organizer_client, case, botnet):
    page = organizer_client.get(sources_url(case))
    assert page.status_code == 200
    html = page.content.decode()
    assert BOTNET in html and "bots.example" in html and "example.net" in html
    assert "trending" in html
    assert f"{invalidate_url(case)}?kind=network&amp;source=203.0.113.0/24" in html


def test_the_case_and_its_dashboard_link_to_the_sources_for_those_who_may_see_them(
    client, case, botnet
):
    dashboard = reverse("case_dashboard:case", args=[case.pk])
    inspect = reverse("urgent_actions:inspect", args=[case.pk])
    listing = reverse("urgent_actions:index")
    client.force_login(member_of("Organizers"))
    assert sources_url(case) in client.get(inspect).content.decode()
    assert sources_url(case) in client.get(listing).content.decode()
    client.force_login(admin_user("handovers.view_handover", "campaigns.view_invalidation"))
    assert sources_url(case) in client.get(dashboard).content.decode()
    client.force_login(admin_user("handovers.view_handover", "campaigns.view_urgentaction"))
    assert sources_url(case) not in client.get(dashboard).content.decode()
    assert sources_url(case) not in client.get(inspect).content.decode()


def test_the_link_from_a_row_shows_what_the_invalidation_would_match(
    organizer_client, case, botnet
):
    page = organizer_client.get(invalidate_url(case), {"kind": "network", "source": BOTNET})
    html = page.content.decode()
    assert page.status_code == 200
    assert "This matches 4 signatures (4 confirmed) and 1 letters (0 already sent)." in html
    assert Invalidation.objects.count() == 0


def test_an_organizer_invalidates_a_source_and_the_log_says_who_what_and_why(
    organizer_client, organizer, case, botnet, django_capture_on_commit_callbacks
):
    preview = organizer_client.post(invalidate_url(case), {**form(), "preview": "1"})
    assert "This matches 4 signatures" in preview.content.decode()
    assert not Invalidation.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(invalidate_url(case), form())

    assert response.status_code == 302 and response["Location"] == sources_url(case)
    invalidation = Invalidation.objects.get()
    assert (invalidation.kind, invalidation.source) == ("network", BOTNET)
    assert invalidation.invalidated_by == organizer
    assert (invalidation.signatures, invalidation.confirmed_signatures) == (4, 4)
    assert (invalidation.letters, invalidation.letters_sent) == (1, 0)
    assert invalidation.reason == "Four sign-ups a second from one hosting network."
    assert counts.confirmed_count(case.pk) == 1
    entry = ModelLogEntry.objects.get(action="actions.invalidate_source")
    assert entry.user == organizer and entry.object_id == str(case.pk)
    assert entry.data["source"] == BOTNET and entry.data["signatures"] == 4
    assert entry.data["reason"] == invalidation.reason

    page = organizer_client.get(response["Location"]).content.decode()
    assert "Invalidated 4 signatures (4 confirmed) and 1 letter (0 already sent)" in page
    assert invalidation.reason in page and organizer.username in page
    assert reverse("case_dashboard:reverse_invalidation", args=[invalidation.pk]) in page


def test_an_organizer_reverses_an_invalidation_from_the_log(
    organizer_client, organizer, case, botnet, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        organizer_client.post(invalidate_url(case), form())
    invalidation = Invalidation.objects.get()
    url = reverse("case_dashboard:reverse_invalidation", args=[invalidation.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(url)

    assert response.status_code == 302
    assert counts.confirmed_count(case.pk) == 5
    assert not Signature.objects.filter(is_flagged=True).exists()
    assert not Letter.objects.filter(invalidation__isnull=False).exists()
    invalidation.refresh_from_db()
    assert invalidation.is_reversed and invalidation.reversed_by == organizer
    assert ModelLogEntry.objects.filter(action="actions.reverse_invalidation").count() == 1
    page = organizer_client.get(sources_url(case)).content.decode()
    assert "Reversed on" in page
    # Again: nothing more happens, and the organizer is told so.
    organizer_client.post(url)
    assert ModelLogEntry.objects.filter(action="actions.reverse_invalidation").count() == 1
    assert "already reversed" in organizer_client.get(sources_url(case)).content.decode()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"source": "203.0.0.0/16"}, "source"),
        ({"source": "not an address"}, "source"),
        ({"kind": "domain", "source": "no spaces allowed.org x"}, "source"),
        ({"reason": ""}, "reason"),
        ({"reason": "x" * 301}, "reason"),
        ({"since": "2026-12-06T10:00", "until": "2026-12-06T09:00"}, "until"),
        ({"kind": "ip"}, "kind"),
    ],
)
def test_bad_criteria_are_a_400_with_a_message_and_change_nothing(
    organizer_client, case, botnet, changes, field
):
    response = organizer_client.post(invalidate_url(case), form(**changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Invalidation.objects.exists()
    assert not Signature.objects.filter(is_flagged=True).exists()


def test_a_domain_is_taken_as_emails_hold_it(organizer_client, case, botnet):
    organizer_client.post(invalidate_url(case), form(kind="domain", source=" @Bots.Example. "))
    assert Invalidation.objects.get().source == "bots.example"
    assert Signature.objects.filter(is_flagged=True).count() == 4


def test_nothing_to_invalidate_records_nothing_and_says_so(organizer_client, case, botnet):
    response = organizer_client.post(invalidate_url(case), form(source="192.0.2.1"))
    assert response.status_code == 200
    assert "Nothing matched" in response.content.decode()
    assert not Invalidation.objects.exists()


@pytest.mark.parametrize("group", ["Editors", "Moderators"])
def test_without_the_permissions_every_page_and_button_is_a_403(client, case, botnet, group):
    client.force_login(member_of(group))
    assert client.get(sources_url(case)).status_code == 403
    assert client.get(invalidate_url(case)).status_code == 403
    assert client.post(invalidate_url(case), form()).status_code == 403
    assert not Invalidation.objects.exists()
    assert counts.confirmed_count(case.pk) == 5


def test_seeing_the_sources_is_not_enough_to_invalidate_or_reverse(client, case, botnet, organizer):
    from actions import services
    from campaigns.models import SourceKind

    invalidation = services.invalidate_source(
        action=case, kind=SourceKind.NETWORK, source=BOTNET, reason="r", by=organizer
    )
    client.force_login(admin_user("campaigns.view_invalidation"))
    page = client.get(sources_url(case))
    assert page.status_code == 200 and "Invalidate…" not in page.content.decode()
    assert client.post(invalidate_url(case), form()).status_code == 403
    url = reverse("case_dashboard:reverse_invalidation", args=[invalidation.pk])
    assert client.post(url).status_code == 403
    invalidation.refresh_from_db()
    assert not invalidation.is_reversed


def test_organizers_hold_both_permissions():
    organizers = Group.objects.get(name="Organizers")
    codenames = set(organizers.permissions.values_list("codename", flat=True))
    assert {"view_invalidation", "invalidate_source"} <= codenames
    editors = Group.objects.get(name="Editors")
    assert not editors.permissions.filter(codename="invalidate_source").exists()


def test_the_sources_page_costs_a_fixed_number_of_queries(
    organizer_client, case, botnet, django_assert_max_num_queries
):
    with django_assert_max_num_queries(40) as few:
        organizer_client.get(sources_url(case))
    for i in range(10):
        ConfirmedSignatureFactory(action=case, network=f"10.0.{i}.0/24", email_domain=f"d{i}.org")
    with django_assert_max_num_queries(40) as more:
        organizer_client.get(sources_url(case))
    assert len(more.captured_queries) == len(few.captured_queries)
