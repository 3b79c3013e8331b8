import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from campaigns.models import UrgentAction
from cms.models import ActionPage
from tests.factories import UrgentActionFactory, UserFactory

pytestmark = pytest.mark.django_db


def draft_case(**fields) -> UrgentAction:
    return UrgentActionFactory(status=UrgentAction.Status.DRAFT, opened_at=None, **fields)


def user_in(group_name: str):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=group_name))
    return user


def test_publishing_a_case_page_opens_its_draft_case(add_action_page):
    action = draft_case()

    add_action_page(action)

    action.refresh_from_db()
    assert action.status == UrgentAction.Status.OPEN
    assert action.opened_at is not None


def test_publishing_a_page_of_a_closed_case_leaves_it_closed(add_action_page):
    action = UrgentActionFactory(status=UrgentAction.Status.CLOSED, closed_at=timezone.now())

    add_action_page(action)

    action.refresh_from_db()
    assert action.status == UrgentAction.Status.CLOSED


def test_saving_a_draft_page_leaves_the_case_in_draft(index):
    action = draft_case()
    page = index.add_child(instance=ActionPage(title="T", action=action, summary="S", live=False))

    page.save_revision()

    action.refresh_from_db()
    assert action.status == UrgentAction.Status.DRAFT


def test_the_case_page_form_offers_a_case_chooser(client, index):
    client.force_login(user_in("Editors"))

    response = client.get(reverse("wagtailadmin_pages:add", args=("cms", "actionpage", index.pk)))

    assert response.status_code == 200
    assert "Choose an urgent action" in response.content.decode()


def test_an_editor_submits_a_case_page_and_a_moderator_approves_it(client, index):
    action = draft_case(title="Protect Ana")
    editor, moderator = user_in("Editors"), user_in("Moderators")
    client.force_login(editor)

    response = client.post(
        reverse("wagtailadmin_pages:add", args=("cms", "actionpage", index.pk)),
        nested_form_data(
            {
                "title": "Protect Ana",
                "slug": "protect-ana",
                "action": action.pk,
                "summary": "Ana is at risk.",
                "hero_caption": "",
                "body": streamfield([]),
                "outcome_summary": "",
                "comments": inline_formset([]),
                "action-submit": "Submit for moderation",
            }
        ),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    page = ActionPage.objects.get(slug="protect-ana")
    assert not page.live
    assert page.current_workflow_task_state is not None
    action.refresh_from_db()
    assert action.status == UrgentAction.Status.DRAFT

    client.force_login(moderator)
    response = client.post(
        reverse(
            "wagtailadmin_pages:workflow_action",
            args=(page.pk, "approve", page.current_workflow_task_state.pk),
        ),
        {"comment": ""},
    )

    assert response.status_code in (200, 302)
    page.refresh_from_db()
    action.refresh_from_db()
    assert page.live
    assert action.status == UrgentAction.Status.OPEN


def test_an_editor_cannot_publish_directly(client, index):
    action = draft_case()
    client.force_login(user_in("Editors"))

    client.post(
        reverse("wagtailadmin_pages:add", args=("cms", "actionpage", index.pk)),
        nested_form_data(
            {
                "title": "Direct",
                "slug": "direct",
                "action": action.pk,
                "summary": "S",
                "body": streamfield([]),
                "comments": inline_formset([]),
                "action-publish": "Publish",
            }
        ),
    )

    action.refresh_from_db()
    assert not ActionPage.objects.filter(slug="direct", live=True).exists()
    assert action.status == UrgentAction.Status.DRAFT


def test_scheduled_publishing_makes_the_page_live_and_opens_the_case(client, index):
    action = draft_case()
    page = index.add_child(
        instance=ActionPage(title="Later", slug="later", action=action, summary="S", live=False)
    )
    revision = page.save_revision(
        approved_go_live_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    page.go_live_at = revision.approved_go_live_at
    page.save()
    assert not ActionPage.objects.get(pk=page.pk).live

    call_command("publish_scheduled")

    page.refresh_from_db()
    action.refresh_from_db()
    assert page.live
    assert action.status == UrgentAction.Status.OPEN
    assert client.get("/actions/later/").status_code == 200
