import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns import services
from campaigns.models import DeadlineExtension, FollowUp, UrgentAction
from tests.factories import FollowUpFactory, UrgentActionFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = UrgentAction.Status
Outcome = UrgentAction.OutcomeKind
DAY = datetime.timedelta(days=1)


def draft(**kwargs):
    return UrgentActionFactory(status=Status.DRAFT, opened_at=None, **kwargs)


def closed(**kwargs):
    return UrgentActionFactory(
        status=Status.CLOSED, closed_at=timezone.now(), outcome_kind=Outcome.GOOD_NEWS, **kwargs
    )


def stored(action):
    return UrgentAction.objects.get(pk=action.pk)


# open_action


def test_opening_a_draft_makes_it_open_and_stamps_opened_at():
    action = draft()
    assert services.open_action(action=action) is True
    assert stored(action).status == Status.OPEN
    assert stored(action).opened_at is not None
    assert action.status == Status.OPEN


@pytest.mark.parametrize("make", [UrgentActionFactory, closed])
def test_opening_acts_only_on_a_draft(make):
    action = make()
    before = stored(action)
    assert services.open_action(action=action) is False
    after = stored(action)
    assert (after.status, after.opened_at, after.closed_at) == (
        before.status,
        before.opened_at,
        before.closed_at,
    )


# extend_deadline


def test_extending_the_deadline_moves_it_and_records_the_previous_one_with_the_reason():
    action = UrgentActionFactory()
    old = action.deadline
    editor = UserFactory()

    extension = services.extend_deadline(
        action=action, new_deadline=old + 10 * DAY, reason="Hearing postponed", by=editor
    )

    assert stored(action).deadline == old + 10 * DAY
    assert action.deadline == old + 10 * DAY
    assert (extension.previous_deadline, extension.new_deadline) == (old, old + 10 * DAY)
    assert extension.reason == "Hearing postponed"
    assert extension.extended_by == editor


def test_extending_to_the_same_deadline_records_nothing():
    action = UrgentActionFactory()
    assert services.extend_deadline(action=action, new_deadline=action.deadline) is None
    assert not DeadlineExtension.objects.exists()


def test_a_deadline_before_the_issue_date_is_refused_and_nothing_changes():
    action = UrgentActionFactory()
    old = action.deadline
    with pytest.raises(ValidationError, match="before the issue date"):
        services.extend_deadline(action=action, new_deadline=action.issued_on - DAY)
    assert stored(action).deadline == old
    assert not DeadlineExtension.objects.exists()


def test_extending_a_closed_case_keeps_it_closed():
    action = closed()
    services.extend_deadline(action=action, new_deadline=action.deadline + 30 * DAY)
    assert stored(action).status == Status.CLOSED


# close_action


def test_closing_an_open_case_stamps_closed_at_and_keeps_the_outcome():
    action = UrgentActionFactory()
    assert services.close_action(
        action=action, outcome_kind=Outcome.GOOD_NEWS, outcome="Threats stopped"
    )
    after = stored(action)
    assert after.status == Status.CLOSED
    assert after.closed_at is not None
    assert (after.outcome_kind, after.outcome) == (Outcome.GOOD_NEWS, "Threats stopped")
    assert action.is_closed


def test_closing_an_already_closed_case_changes_nothing():
    action = closed(outcome="Released")
    before = stored(action)
    assert (
        services.close_action(action=action, outcome_kind=Outcome.DEADLINE_PASSED, outcome="")
        is False
    )
    after = stored(action)
    assert (after.closed_at, after.outcome_kind, after.outcome) == (
        before.closed_at,
        Outcome.GOOD_NEWS,
        "Released",
    )


@pytest.mark.parametrize("outcome_kind", ["", "invented"])
def test_closing_needs_a_known_outcome(outcome_kind):
    action = UrgentActionFactory()
    with pytest.raises(ValidationError, match="Choose an outcome"):
        services.close_action(action=action, outcome_kind=outcome_kind)
    assert stored(action).status == Status.OPEN


# reopen_action


def test_reopening_a_closed_case_clears_closed_at_and_the_outcome_kind():
    action = closed()
    assert services.reopen_action(action=action) is True
    after = stored(action)
    assert (after.status, after.closed_at, after.outcome_kind) == (Status.OPEN, None, "")


@pytest.mark.parametrize("make", [UrgentActionFactory, draft])
def test_reopening_acts_only_on_a_closed_case(make):
    action = make()
    status = action.status
    assert services.reopen_action(action=action) is False
    assert stored(action).status == status


# close_expired_actions


def test_close_expired_actions_closes_open_cases_whose_deadline_day_has_passed():
    today = datetime.date(2026, 5, 1)
    expired = UrgentActionFactory(issued_on=today - 40 * DAY, deadline=today - DAY)
    due_today = UrgentActionFactory(issued_on=today - 40 * DAY, deadline=today)
    waiting = draft(issued_on=today - 40 * DAY, deadline=today - DAY)

    assert services.close_expired_actions(today=today) == 1

    assert stored(expired).status == Status.CLOSED
    assert stored(expired).outcome_kind == Outcome.DEADLINE_PASSED
    assert stored(due_today).status == Status.OPEN
    assert stored(waiting).status == Status.DRAFT
    assert services.close_expired_actions(today=today) == 0


# save_action


def test_saving_a_new_open_case_opens_it_through_the_transition():
    action = UrgentActionFactory.build(status=Status.OPEN, opened_at=None)
    services.save_action(action=action, previous=None)
    after = stored(action)
    assert after.status == Status.OPEN
    assert after.opened_at is not None


def test_saving_a_new_draft_leaves_it_a_draft_without_timestamps():
    action = UrgentActionFactory.build(status=Status.DRAFT, opened_at=timezone.now())
    services.save_action(action=action, previous=None)
    after = stored(action)
    assert (after.status, after.opened_at, after.closed_at) == (Status.DRAFT, None, None)


def test_saving_a_new_closed_case_needs_an_outcome():
    action = UrgentActionFactory.build(status=Status.CLOSED, outcome_kind="")
    with pytest.raises(ValidationError, match="Choose an outcome"):
        services.save_action(action=action, previous=None)


def test_saving_a_changed_deadline_records_an_extension_with_the_reason():
    action = UrgentActionFactory()
    previous = stored(action)
    editor = UserFactory()
    action.deadline = previous.deadline + 7 * DAY
    action.title = "New title"

    services.save_action(action=action, previous=previous, by=editor, reason="More time")

    after = stored(action)
    assert (after.title, after.deadline) == ("New title", previous.deadline + 7 * DAY)
    extension = DeadlineExtension.objects.get(action=action)
    assert (extension.previous_deadline, extension.reason, extension.extended_by) == (
        previous.deadline,
        "More time",
        editor,
    )


def test_saving_without_a_deadline_change_records_no_extension():
    action = UrgentActionFactory()
    previous = stored(action)
    action.title = "Typo fixed"
    services.save_action(action=action, previous=previous)
    assert not DeadlineExtension.objects.exists()


def test_saving_an_open_case_as_closed_closes_it_with_its_outcome():
    action = UrgentActionFactory()
    previous = stored(action)
    action.status = Status.CLOSED
    action.outcome_kind = Outcome.GOOD_NEWS
    action.outcome = "Protection restored"

    services.save_action(action=action, previous=previous)

    after = stored(action)
    assert (after.status, after.outcome_kind, after.outcome) == (
        Status.CLOSED,
        Outcome.GOOD_NEWS,
        "Protection restored",
    )
    assert after.closed_at is not None


def test_saving_a_closed_case_as_open_reopens_it():
    action = closed()
    previous = stored(action)
    action.status = Status.OPEN
    action.outcome_kind = ""

    services.save_action(action=action, previous=previous)

    after = stored(action)
    assert (after.status, after.closed_at, after.outcome_kind) == (Status.OPEN, None, "")


def test_saving_keeps_the_stored_timestamps_whatever_the_instance_says():
    action = UrgentActionFactory()
    previous = stored(action)
    action.opened_at = None
    action.closed_at = timezone.now()
    services.save_action(action=action, previous=previous)
    after = stored(action)
    assert (after.opened_at, after.closed_at) == (previous.opened_at, None)


@pytest.mark.parametrize("make", [UrgentActionFactory, closed])
def test_an_opened_case_cannot_go_back_to_draft(make):
    action = make()
    previous = stored(action)
    action.status = Status.DRAFT
    with pytest.raises(ValidationError, match="cannot go back to draft"):
        services.save_action(action=action, previous=previous)
    assert stored(action).status == previous.status


# publish_follow_up


def test_follow_ups_are_numbered_one_two_three_per_case():
    action = UrgentActionFactory()
    other = UrgentActionFactory()
    numbers = [
        services.publish_follow_up(follow_up=FollowUp(action=action)).sequence for _ in range(3)
    ]
    assert numbers == [1, 2, 3]
    assert services.publish_follow_up(follow_up=FollowUp(action=other)).sequence == 1


def test_a_follow_up_with_a_new_deadline_moves_the_case_deadline_and_links_the_extension():
    action = UrgentActionFactory()
    old = action.deadline
    editor = UserFactory()

    follow_up = services.publish_follow_up(
        follow_up=FollowUp(action=action, new_deadline=old + 14 * DAY), by=editor
    )

    assert stored(action).deadline == old + 14 * DAY
    extension = DeadlineExtension.objects.get(action=action)
    assert (extension.previous_deadline, extension.follow_up, extension.extended_by) == (
        old,
        follow_up,
        editor,
    )


def test_a_follow_up_without_a_new_deadline_keeps_the_deadline():
    action = UrgentActionFactory()
    old = action.deadline
    services.publish_follow_up(follow_up=FollowUp(action=action))
    assert stored(action).deadline == old
    assert not DeadlineExtension.objects.exists()


def test_editing_an_old_follow_up_does_not_move_the_deadline_back():
    action = UrgentActionFactory()
    first = services.publish_follow_up(
        follow_up=FollowUp(action=action, new_deadline=action.deadline + 10 * DAY)
    )
    services.publish_follow_up(
        follow_up=FollowUp(action=action, new_deadline=action.deadline + 20 * DAY)
    )
    latest = stored(action).deadline

    first = FollowUp.objects.get(pk=first.pk)
    first.issued_on -= DAY  # an edit that leaves its deadline alone
    services.publish_follow_up(follow_up=first)

    assert stored(action).deadline == latest
    assert FollowUp.objects.get(pk=first.pk).sequence == 1
    assert DeadlineExtension.objects.filter(action=action).count() == 2


def test_a_follow_up_extending_a_closed_case_into_the_future_reopens_it():
    action = closed()
    services.publish_follow_up(
        follow_up=FollowUp(action=action, new_deadline=timezone.localdate() + 10 * DAY)
    )
    assert stored(action).status == Status.OPEN


def test_a_follow_up_with_a_deadline_before_the_issue_date_is_refused_and_not_saved():
    action = UrgentActionFactory()
    with pytest.raises(ValidationError, match="before the case's issue date"):
        services.publish_follow_up(
            follow_up=FollowUp(action=action, new_deadline=action.issued_on - DAY)
        )
    assert not FollowUp.objects.exists()


def test_a_follow_up_continues_numbering_after_existing_ones():
    existing = FollowUpFactory(sequence=4)
    follow_up = services.publish_follow_up(follow_up=FollowUp(action=existing.action))
    assert follow_up.sequence == 5
