"""The stop button in the admin (campaigns.admin_views): Hold / Resume on a case and on an
official, Send them / Drop them on a closed case, for organizers only."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry

from campaigns import services
from campaigns.models import Announcement, AnnouncementDelivery, Target, UrgentAction
from letters import services as letters
from letters.models import Delivery
from tests.factories import ConsentFactory, LetterFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("letters_settings")]


def member_of(group_name):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def organizer_client(client):
    client.force_login(member_of("Organizers"))
    return client


@pytest.fixture
def editor_client(client):
    """Editors manage cases, but holding is the organizers' call."""
    client.force_login(member_of("Editors"))
    return client


@pytest.fixture
def waiting(case, official):
    """Two letters and one announcement waiting to go on the case."""
    for _ in range(2):
        letters.queue_letter(letter=LetterFactory(case=case, targets=[official]))
    announcement = Announcement.objects.create(
        action=case, kind="handover", reference="h1", content={"en": {"subject": "s", "body": "b"}}
    )
    AnnouncementDelivery.objects.create(
        announcement=announcement, supporter=ConsentFactory(action=case).supporter
    )


def url(name, pk):
    return reverse(name, args=[pk])


def test_an_organizer_holds_and_resumes_a_case_and_sees_the_counts(organizer_client, case, waiting):
    page = organizer_client.get(url("urgent_actions:hold", case.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Sending is not held" in html and "2 letters wait to go" in html
    assert "1 announcement waits to go" in html
    assert 'for="hold-reason' in html  # the reason field has its label

    response = organizer_client.post(
        url("urgent_actions:hold_case", case.pk), {"reason": "Wrong official"}, follow=True
    )
    html = response.content.decode()
    assert "UA 58/20 is held: 2 letters and 1 announcement stopped." in html
    assert "2 letters are held" in html and "1 announcement is held" in html
    assert "Wrong official" in html and "Resume sending" in html
    case.refresh_from_db()
    assert case.is_held and case.hold_reason == "Wrong official"
    assert letters.dispatch_deliveries() == 0

    response = organizer_client.post(url("urgent_actions:resume_case", case.pk), follow=True)
    assert "2 letters and 1 announcement go now" in response.content.decode()
    case.refresh_from_db()
    assert not case.is_held
    # The case's history says who did what, and why.
    entries = ModelLogEntry.objects.for_instance(case).order_by("timestamp")
    assert [(e.action, e.user.groups.get().name) for e in entries] == [
        ("campaigns.hold", "Organizers"),
        ("campaigns.resume", "Organizers"),
    ]
    assert entries[0].data["reason"] == "Wrong official" and entries[0].data["letters"] == 2
    # Organizers read cases without editing them: the button is where they look.
    inspect = organizer_client.get(url("urgent_actions:inspect", case.pk)).content.decode()
    assert url("urgent_actions:hold", case.pk) in inspect


def test_the_buttons_are_refused_without_the_permission(editor_client, case, waiting, official):
    services.close_action(action=case, outcome_kind="deadline_passed")
    for name in ("urgent_actions:hold", "urgent_actions:drop_held"):
        assert editor_client.get(url(name, case.pk)).status_code == 403
    for name in (
        "urgent_actions:hold_case",
        "urgent_actions:resume_case",
        "urgent_actions:send_held",
        "urgent_actions:drop_held",
    ):
        assert editor_client.post(url(name, case.pk), {"confirm": "on"}).status_code == 403
    assert editor_client.get(url("targets:hold", official.pk)).status_code == 403
    for name in ("targets:hold_official", "targets:resume_official"):
        assert editor_client.post(url(name, official.pk)).status_code == 403
    case.refresh_from_db()
    assert not case.is_held and case.has_letters_held
    assert not Target.objects.get(pk=official.pk).is_held
    assert set(Delivery.objects.values_list("status", flat=True)) == {"queued"}
    # Nor is the button offered to them.
    edit = editor_client.get(url("urgent_actions:edit", case.pk)).content.decode()
    assert url("urgent_actions:hold", case.pk) not in edit


def test_a_change_needs_a_post_with_its_csrf_token(organizer_client, case):
    assert organizer_client.get(url("urgent_actions:hold_case", case.pk)).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member_of("Organizers"))
    assert strict.post(url("urgent_actions:hold_case", case.pk)).status_code == 403
    case.refresh_from_db()
    assert not case.is_held


def test_a_closed_case_offers_to_send_or_drop_its_held_letters(organizer_client, case, waiting):
    services.close_action(action=case, outcome_kind="good_news", outcome="Released")
    page = organizer_client.get(url("urgent_actions:hold", case.pk)).content.decode()
    assert "its 2 letters left wait for your choice" in page
    assert "Send them" in page and "Drop them" in page

    response = organizer_client.post(url("urgent_actions:send_held", case.pk), follow=True)
    assert "2 letters go now" in response.content.decode()
    case.refresh_from_db()
    assert not case.has_letters_held
    assert letters.dispatch_deliveries() == 2


def test_dropping_asks_first_then_cancels_the_letters(organizer_client, case, waiting):
    services.close_action(action=case, outcome_kind="good_news", outcome="Released")
    drop = url("urgent_actions:drop_held", case.pk)

    page = organizer_client.get(drop)
    html = page.content.decode()
    assert page.status_code == 200
    assert "2 letters will be cancelled and never sent" in html
    assert 'type="checkbox"' in html and "I understand" in html

    unconfirmed = organizer_client.post(drop, {"reason": "Released"})
    assert unconfirmed.status_code == 400
    assert set(Delivery.objects.values_list("status", flat=True)) == {"queued"}

    response = organizer_client.post(drop, {"reason": "Released", "confirm": "on"}, follow=True)
    assert "2 letters dropped" in response.content.decode()
    assert set(Delivery.objects.values_list("status", flat=True)) == {"cancelled"}
    case.refresh_from_db()
    assert not case.has_letters_held


def test_an_organizer_holds_and_resumes_an_official(organizer_client, case, official, waiting):
    listing = organizer_client.get(reverse("targets:index")).content.decode()
    assert url("targets:hold", official.pk) in listing

    response = organizer_client.post(
        url("targets:hold_official", official.pk), {"reason": "Left office"}, follow=True
    )
    html = response.content.decode()
    assert "are held: 2 letters stopped" in html and "2 letters are held" in html
    assert Target.objects.get(pk=official.pk).is_held
    assert letters.dispatch_deliveries() == 0

    response = organizer_client.post(url("targets:resume_official", official.pk), follow=True)
    assert "resumed" in response.content.decode()
    assert not Target.objects.get(pk=official.pk).is_held
    assert letters.dispatch_deliveries() == 2


def test_editing_an_official_keeps_its_hold(organizer_client, client, official):
    from campaigns import holds

    holds.hold_official(target=official, by=UserFactory(), reason="Left office")
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    data = {
        field: getattr(official, field)
        for field in ("kind", "name", "title", "organisation", "language", "salutation", "email")
    }
    data.update(country="MX", postal_address=official.postal_address, is_active="on")
    response = client.post(url("targets:edit", official.pk), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    official.refresh_from_db()
    assert official.is_held and official.hold_reason == "Left office"


def test_the_dashboard_shows_the_held_counts_and_the_buttons(
    organizer_client, case, waiting, django_user_model
):
    from django.contrib.auth.models import Permission

    from campaigns import holds

    user = django_user_model.objects.get(pk=organizer_client.session["_auth_user_id"])
    user.user_permissions.add(Permission.objects.get(codename="view_handover"))

    holds.hold_case(action=case, by=UserFactory(), reason="Wrong official")
    dashboard = f"/admin/petitions/dashboard/{case.pk}/"
    html = organizer_client.get(dashboard).content.decode()
    assert "Sending is held" in html and "2 letters are held" in html
    assert url("urgent_actions:resume_case", case.pk) in html

    response = organizer_client.post(
        url("urgent_actions:resume_case", case.pk), {"next": dashboard}
    )
    assert response["Location"] == dashboard
    assert not UrgentAction.objects.get(pk=case.pk).is_held
    # A next outside the site goes back to the case's own page instead.
    response = organizer_client.post(
        url("urgent_actions:hold_case", case.pk), {"next": "https://evil.example/"}
    )
    assert response["Location"] == url("urgent_actions:hold", case.pk)
