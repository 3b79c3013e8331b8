import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from campaigns.models import ActionTarget, DeadlineExtension, FollowUp, Target, UrgentAction
from tests.factories import TargetFactory, UrgentActionFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = UrgentAction.Status
DAY = datetime.timedelta(days=1)


def member_of(group_name):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def editor_client(client):
    client.force_login(member_of("Editors"))
    return client


@pytest.fixture(params=["superuser", "editor"])
def staff_client(request, client):
    if request.param == "superuser":
        user = UserFactory(is_superuser=True, is_staff=True)
    else:
        user = member_of("Editors")
    client.force_login(user)
    return client


def targets_formset(rows=(), initial=0):
    data = {
        "action_targets-TOTAL_FORMS": str(len(rows)),
        "action_targets-INITIAL_FORMS": str(initial),
        "action_targets-MIN_NUM_FORMS": "0",
        "action_targets-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update(
            {
                f"action_targets-{i}-target": str(row["target"].pk),
                f"action_targets-{i}-tier": row.get("tier", ActionTarget.Tier.PRIMARY),
                f"action_targets-{i}-ORDER": str(i + 1),
                f"action_targets-{i}-DELETE": "",
                f"action_targets-{i}-id": str(row.get("id", "")),
            }
        )
    return data


def case_data(**overrides):
    today = timezone.localdate()
    data = {
        "number": "58/20",
        "title": "Protect the defenders of Mérida",
        "summary": "Two defenders were threatened.",
        "category": "defenders",
        "country": "MX",
        "status": Status.OPEN,
        "issued_on": today.isoformat(),
        "deadline": (today + 30 * DAY).isoformat(),
        "deadline_reason": "",
        "outcome_kind": "",
        "outcome": "",
        **targets_formset(),
    }
    data.update(overrides)
    return data


def edit_data(action, **overrides):
    links = list(action.action_targets.all())
    data = case_data(
        number=action.number,
        title=action.title,
        summary=action.summary,
        category=action.category,
        country=str(action.country),
        status=action.status,
        issued_on=action.issued_on.isoformat(),
        deadline=action.deadline.isoformat(),
        outcome_kind=action.outcome_kind,
        outcome=action.outcome,
        **targets_formset(
            [{"target": link.target, "tier": link.tier, "id": link.pk} for link in links],
            initial=len(links),
        ),
    )
    data.update(overrides)
    return data


def target_data(**overrides):
    data = {
        "kind": Target.Kind.OFFICIAL,
        "is_active": "on",
        "name": "Mauricio Vila Dosal",
        "title": "Gobernador del Estado de Yucatán",
        "organisation": "Gobierno del Estado de Yucatán",
        "country": "MX",
        "language": "es",
        "salutation": "Señor Gobernador",
        "email": "gobernador@example.org",
        "postal_address": "",
        "phone": "",
        "represents_country": "",
        "accredited_to_country": "",
    }
    data.update(overrides)
    return data


def follow_up_data(action, **overrides):
    data = {
        "action": str(action.pk),
        "issued_on": timezone.localdate().isoformat(),
        "new_deadline": "",
        "texts-TOTAL_FORMS": "1",
        "texts-INITIAL_FORMS": "0",
        "texts-MIN_NUM_FORMS": "1",
        "texts-MAX_NUM_FORMS": "1000",
        "texts-0-language": "en",
        "texts-0-title": "Further information",
        "texts-0-body": "The hearing was postponed.",
        "texts-0-ORDER": "1",
        "texts-0-DELETE": "",
        "texts-0-id": "",
    }
    data.update(overrides)
    return data


# Pages render


@pytest.mark.parametrize("viewset", ["urgent_actions", "follow_ups", "targets"])
def test_list_and_add_pages_render(staff_client, viewset):
    UrgentActionFactory()
    assert staff_client.get(reverse(f"{viewset}:index")).status_code == 200
    assert staff_client.get(reverse(f"{viewset}:add")).status_code == 200


def test_edit_pages_render(staff_client):
    action = UrgentActionFactory()
    target = TargetFactory()
    ActionTarget.objects.create(action=action, target=target)
    follow_up = FollowUp.objects.create(action=action, sequence=1)

    for url in [
        reverse("urgent_actions:edit", args=[action.pk]),
        reverse("targets:edit", args=[target.pk]),
        reverse("follow_ups:edit", args=[follow_up.pk]),
        reverse("urgent_actions:inspect", args=[action.pk]),
    ]:
        response = staff_client.get(url)
        assert response.status_code == 200, url


def test_case_list_shows_the_cases(staff_client):
    UrgentActionFactory(number="58/20", title="Protect the defenders of Mérida")
    response = staff_client.get(reverse("urgent_actions:index"))
    assert "58/20" in response.content.decode()


# Creating a case


def test_creating_a_case_with_inline_targets_saves_them_in_their_tiers(staff_client):
    governor, ministry = TargetFactory(), TargetFactory()

    response = staff_client.post(
        reverse("urgent_actions:add"),
        case_data(
            **targets_formset(
                [
                    {"target": governor, "tier": ActionTarget.Tier.PRIMARY},
                    {"target": ministry, "tier": ActionTarget.Tier.COPY},
                ]
            )
        ),
    )

    assert response.status_code == 302
    action = UrgentAction.objects.get(number="58/20")
    assert action.status == Status.OPEN
    assert action.opened_at is not None
    assert list(action.targets_in_tier(ActionTarget.Tier.PRIMARY)) == [governor]
    assert list(action.targets_in_tier(ActionTarget.Tier.COPY)) == [ministry]


def test_creating_a_draft_leaves_it_unopened(superuser_client):
    response = superuser_client.post(reverse("urgent_actions:add"), case_data(status=Status.DRAFT))
    assert response.status_code == 302
    action = UrgentAction.objects.get(number="58/20")
    assert (action.status, action.opened_at) == (Status.DRAFT, None)


# Bad input: a clear message on the re-rendered form, nothing saved


def assert_refused(response, message):
    assert response.status_code == 200
    assert message in response.content.decode()


def test_a_duplicate_ua_number_is_refused_with_a_message(staff_client):
    UrgentActionFactory(number="58/20")
    response = staff_client.post(reverse("urgent_actions:add"), case_data(number="58/20"))
    assert_refused(response, "Another case already has this UA number.")
    assert UrgentAction.objects.count() == 1


def test_a_malformed_ua_number_is_refused_with_a_message(superuser_client):
    response = superuser_client.post(reverse("urgent_actions:add"), case_data(number="58-20"))
    assert_refused(response, "Write the UA number as sequence/year")
    assert not UrgentAction.objects.exists()


def test_a_deadline_before_the_issue_date_is_refused_with_a_message(staff_client):
    today = timezone.localdate()
    response = staff_client.post(
        reverse("urgent_actions:add"),
        case_data(issued_on=today.isoformat(), deadline=(today - DAY).isoformat()),
    )
    assert_refused(response, "The deadline cannot be before the issue date.")
    assert not UrgentAction.objects.exists()


def test_a_deadline_edited_to_before_the_issue_date_is_refused(superuser_client):
    action = UrgentActionFactory()
    old = action.deadline
    response = superuser_client.post(
        reverse("urgent_actions:edit", args=[action.pk]),
        edit_data(action, deadline=(action.issued_on - DAY).isoformat()),
    )
    assert_refused(response, "The deadline cannot be before the issue date.")
    action.refresh_from_db()
    assert action.deadline == old
    assert not DeadlineExtension.objects.exists()


def test_closing_without_an_outcome_is_refused_with_a_message(staff_client):
    action = UrgentActionFactory()
    response = staff_client.post(
        reverse("urgent_actions:edit", args=[action.pk]),
        edit_data(action, status=Status.CLOSED, outcome_kind=""),
    )
    assert_refused(response, "Choose an outcome to close the case.")
    action.refresh_from_db()
    assert (action.status, action.closed_at) == (Status.OPEN, None)


def test_creating_a_closed_case_without_an_outcome_is_refused(superuser_client):
    response = superuser_client.post(
        reverse("urgent_actions:add"), case_data(status=Status.CLOSED, outcome_kind="")
    )
    assert_refused(response, "Choose an outcome to close the case.")
    assert not UrgentAction.objects.exists()


def test_an_open_case_with_a_final_outcome_is_refused(superuser_client):
    action = UrgentActionFactory()
    response = superuser_client.post(
        reverse("urgent_actions:edit", args=[action.pk]),
        edit_data(action, outcome_kind=UrgentAction.OutcomeKind.GOOD_NEWS),
    )
    assert_refused(response, "A case with a final outcome must be closed.")
    action.refresh_from_db()
    assert action.outcome_kind == ""


def test_an_opened_case_cannot_be_put_back_to_draft(superuser_client):
    action = UrgentActionFactory()
    response = superuser_client.post(
        reverse("urgent_actions:edit", args=[action.pk]), edit_data(action, status=Status.DRAFT)
    )
    assert_refused(response, "A case that has been opened cannot go back to draft.")
    action.refresh_from_db()
    assert action.status == Status.OPEN


def test_the_same_target_twice_on_a_case_is_refused(superuser_client):
    governor = TargetFactory()
    response = superuser_client.post(
        reverse("urgent_actions:add"),
        case_data(**targets_formset([{"target": governor}, {"target": governor}])),
    )
    assert response.status_code == 200
    assert not UrgentAction.objects.exists()
    assert not ActionTarget.objects.exists()


def test_a_target_without_any_contact_channel_is_refused_with_a_message(staff_client):
    response = staff_client.post(
        reverse("targets:add"), target_data(email="", postal_address="", phone="")
    )
    assert_refused(response, "Give at least one contact channel: email, postal address or phone.")
    assert not Target.objects.exists()


def test_a_target_with_only_a_postal_address_is_accepted(staff_client):
    response = staff_client.post(
        reverse("targets:add"), target_data(email="", postal_address="Calle 61, Mérida")
    )
    assert response.status_code == 302
    assert Target.objects.get().postal_address == "Calle 61, Mérida"


def test_an_embassy_without_its_countries_is_refused_with_a_message(staff_client):
    response = staff_client.post(
        reverse("targets:add"),
        target_data(kind=Target.Kind.EMBASSY, represents_country="MX", accredited_to_country=""),
    )
    assert_refused(
        response,
        "An embassy needs the country it represents and the country it is accredited to.",
    )
    assert not Target.objects.exists()


def test_an_embassy_with_its_countries_is_accepted(staff_client):
    response = staff_client.post(
        reverse("targets:add"),
        target_data(kind=Target.Kind.EMBASSY, represents_country="MX", accredited_to_country="CA"),
    )
    assert response.status_code == 302
    assert Target.objects.get().accredited_to_country == "CA"


# Editing a case


def test_editing_the_deadline_records_an_extension_with_the_reason(staff_client):
    action = UrgentActionFactory()
    old = action.deadline

    response = staff_client.post(
        reverse("urgent_actions:edit", args=[action.pk]),
        edit_data(
            action, deadline=(old + 14 * DAY).isoformat(), deadline_reason="Hearing postponed"
        ),
    )

    assert response.status_code == 302
    action.refresh_from_db()
    assert action.deadline == old + 14 * DAY
    extension = DeadlineExtension.objects.get(action=action)
    assert (extension.previous_deadline, extension.new_deadline, extension.reason) == (
        old,
        old + 14 * DAY,
        "Hearing postponed",
    )
    assert extension.extended_by is not None


def test_editing_without_moving_the_deadline_records_no_extension(superuser_client):
    action = UrgentActionFactory()
    response = superuser_client.post(
        reverse("urgent_actions:edit", args=[action.pk]), edit_data(action, title="New title")
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.title == "New title"
    assert not DeadlineExtension.objects.exists()


def test_closing_a_case_in_the_admin_stamps_closed_at(staff_client):
    action = UrgentActionFactory()
    response = staff_client.post(
        reverse("urgent_actions:edit", args=[action.pk]),
        edit_data(
            action,
            status=Status.CLOSED,
            outcome_kind=UrgentAction.OutcomeKind.GOOD_NEWS,
            outcome="Threats stopped; protection restored.",
        ),
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == Status.CLOSED
    assert action.closed_at is not None
    assert action.outcome == "Threats stopped; protection restored."


def test_editing_keeps_and_removes_inline_targets(superuser_client):
    action = UrgentActionFactory()
    kept, removed = TargetFactory(), TargetFactory()
    ActionTarget.objects.create(action=action, target=kept, sort_order=0)
    ActionTarget.objects.create(action=action, target=removed, sort_order=1)
    data = edit_data(action)
    data["action_targets-1-DELETE"] = "1"

    response = superuser_client.post(reverse("urgent_actions:edit", args=[action.pk]), data)

    assert response.status_code == 302
    assert [link.target for link in action.action_targets.all()] == [kept]


def test_opening_a_case_whose_deadline_has_passed_is_refused(superuser_client):
    yesterday = timezone.localdate() - DAY
    action = UrgentActionFactory(
        status=Status.DRAFT, opened_at=None, issued_on=yesterday - 30 * DAY, deadline=yesterday
    )
    response = superuser_client.post(
        reverse("urgent_actions:edit", args=[action.pk]), edit_data(action, status=Status.OPEN)
    )
    assert_refused(response, "To open the case, set a deadline today or later.")
    action.refresh_from_db()
    assert action.status == Status.DRAFT


def test_reopening_a_closed_case_with_a_new_deadline_records_both(superuser_client):
    action = UrgentActionFactory(
        status=Status.CLOSED,
        closed_at=timezone.now(),
        outcome_kind=UrgentAction.OutcomeKind.DEADLINE_PASSED,
        issued_on=timezone.localdate() - 50 * DAY,
        deadline=timezone.localdate() - 10 * DAY,
    )
    new_deadline = timezone.localdate() + 10 * DAY
    response = superuser_client.post(
        reverse("urgent_actions:edit", args=[action.pk]),
        edit_data(
            action,
            status=Status.OPEN,
            outcome_kind="",
            deadline=new_deadline.isoformat(),
            deadline_reason="New threats",
        ),
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.closed_at, action.deadline) == (Status.OPEN, None, new_deadline)
    assert DeadlineExtension.objects.get(action=action).reason == "New threats"


# Follow-ups


def test_follow_ups_created_in_the_admin_are_numbered_and_move_the_deadline(staff_client):
    action = UrgentActionFactory()
    first_deadline = action.deadline + 10 * DAY
    second_deadline = action.deadline + 20 * DAY

    first = staff_client.post(
        reverse("follow_ups:add"),
        follow_up_data(action, new_deadline=first_deadline.isoformat()),
    )
    second = staff_client.post(
        reverse("follow_ups:add"),
        follow_up_data(action, new_deadline=second_deadline.isoformat()),
    )

    assert (first.status_code, second.status_code) == (302, 302)
    follow_ups = list(FollowUp.objects.filter(action=action).order_by("sequence"))
    assert [f.sequence for f in follow_ups] == [1, 2]
    assert [f.texts.get().title for f in follow_ups] == ["Further information"] * 2
    action.refresh_from_db()
    assert action.deadline == second_deadline
    assert list(
        DeadlineExtension.objects.filter(action=action).values_list("new_deadline", "follow_up")
    ) == [(first_deadline, follow_ups[0].pk), (second_deadline, follow_ups[1].pk)]


def test_a_follow_up_deadline_before_the_issue_date_is_refused_with_a_message(superuser_client):
    action = UrgentActionFactory()
    response = superuser_client.post(
        reverse("follow_ups:add"),
        follow_up_data(action, new_deadline=(action.issued_on - DAY).isoformat()),
    )
    assert response.status_code == 200
    assert "The new deadline cannot be before the case" in response.content.decode()
    assert not FollowUp.objects.exists()


def test_a_follow_up_without_any_text_is_refused(superuser_client):
    action = UrgentActionFactory()
    data = follow_up_data(action)
    data.update({"texts-TOTAL_FORMS": "0"})
    response = superuser_client.post(reverse("follow_ups:add"), data)
    assert response.status_code == 200
    assert not FollowUp.objects.exists()


# Permissions


def test_organizers_can_view_cases_but_not_add_or_edit_them(client):
    client.force_login(member_of("Organizers"))
    action = UrgentActionFactory()

    assert client.get(reverse("urgent_actions:index")).status_code == 200
    assert client.get(reverse("urgent_actions:add")).status_code in (302, 403)
    response = client.post(reverse("urgent_actions:add"), case_data(number="99/26"))
    assert response.status_code in (302, 403)
    assert not UrgentAction.objects.filter(number="99/26").exists()
    assert client.get(reverse("urgent_actions:edit", args=[action.pk])).status_code in (302, 403)
    assert client.get(reverse("urgent_actions:inspect", args=[action.pk])).status_code == 200


def test_organizers_hold_no_page_permissions():
    organizers = Group.objects.get(name="Organizers")
    assert not organizers.page_permissions.exists()
    assert organizers.permissions.filter(codename="access_admin").exists()
    assert organizers.permissions.filter(codename="view_supporter").exists()
    # Read-only on the case file; other apps grant what organizers do there (paper tallies…).
    assert not organizers.permissions.filter(
        content_type__app_label__in=["campaigns", "wagtailcore", "cms"],
        codename__startswith="change_",
    ).exists()


def test_editors_and_moderators_manage_cases():
    for name in ["Editors", "Moderators"]:
        codenames = set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))
        for model in ["urgentaction", "target", "actiontarget", "followup", "deadlineextension"]:
            assert {f"add_{model}", f"change_{model}", f"delete_{model}", f"view_{model}"} <= (
                codenames
            )


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(reverse("urgent_actions:index"))
    assert response.status_code == 302
    assert "login" in response["Location"]


# Deleting


def test_a_target_still_on_a_case_cannot_be_deleted_and_the_case_is_named(superuser_client):
    action = UrgentActionFactory(number="58/20")
    target = TargetFactory()
    ActionTarget.objects.create(action=action, target=target)

    response = superuser_client.post(reverse("targets:delete", args=[target.pk]))

    assert response.status_code == 409
    assert "UA 58/20" in response.content.decode()
    assert Target.objects.filter(pk=target.pk).exists()


def test_an_unused_target_can_be_deleted(superuser_client):
    target = TargetFactory()
    response = superuser_client.post(reverse("targets:delete", args=[target.pk]))
    assert response.status_code == 302
    assert not Target.objects.filter(pk=target.pk).exists()


def test_deleting_a_case_removes_its_targets_links_and_follow_ups(superuser_client):
    action = UrgentActionFactory()
    target = TargetFactory()
    ActionTarget.objects.create(action=action, target=target)
    FollowUp.objects.create(action=action, sequence=1)

    response = superuser_client.post(reverse("urgent_actions:delete", args=[action.pk]))

    assert response.status_code == 302
    assert not UrgentAction.objects.exists()
    assert not FollowUp.objects.exists()
    assert Target.objects.filter(pk=target.pk).exists()


@pytest.mark.parametrize("viewset", ["urgent_actions", "follow_ups", "targets"])
def test_list_pages_cost_the_same_queries_for_one_row_or_many(superuser_client, viewset):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def rows(n):
        for _ in range(n):
            action = UrgentActionFactory()
            FollowUp.objects.create(action=action, sequence=1)
            TargetFactory()

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert superuser_client.get(reverse(f"{viewset}:index")).status_code == 200
        return len(captured)

    rows(1)
    superuser_client.get(reverse(f"{viewset}:index"))  # warm per-session caches
    one = queries()
    rows(4)
    assert queries() == one
