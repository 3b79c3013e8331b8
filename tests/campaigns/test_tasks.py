import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from campaigns import tasks
from campaigns.models import UrgentAction
from tests.factories import UrgentActionFactory

pytestmark = pytest.mark.django_db

Status = UrgentAction.Status
DAY = datetime.timedelta(days=1)


def case(*, deadline, **kwargs):
    return UrgentActionFactory(issued_on=deadline - 40 * DAY, deadline=deadline, **kwargs)


def test_auto_close_closes_open_cases_whose_deadline_day_has_passed():
    today = timezone.localdate()
    expired = case(deadline=today - DAY)

    assert tasks.close_expired_actions() == 1

    expired.refresh_from_db()
    assert expired.status == Status.CLOSED
    assert expired.outcome_kind == UrgentAction.OutcomeKind.DEADLINE_PASSED
    assert expired.closed_at is not None


def test_auto_close_leaves_cases_still_running_drafts_and_closed_cases_alone():
    today = timezone.localdate()
    due_today = case(deadline=today)
    later = case(deadline=today + 10 * DAY)
    draft = case(deadline=today - DAY, status=Status.DRAFT, opened_at=None)
    closed_at = timezone.now() - 5 * DAY
    closed = case(
        deadline=today - 10 * DAY,
        status=Status.CLOSED,
        closed_at=closed_at,
        outcome_kind=UrgentAction.OutcomeKind.GOOD_NEWS,
    )

    assert tasks.close_expired_actions() == 0

    for action, status in [(due_today, Status.OPEN), (later, Status.OPEN), (draft, Status.DRAFT)]:
        action.refresh_from_db()
        assert action.status == status
    closed.refresh_from_db()
    assert (closed.closed_at, closed.outcome_kind) == (closed_at, "good_news")


def test_auto_close_is_idempotent():
    expired = case(deadline=timezone.localdate() - DAY)
    assert tasks.close_expired_actions() == 1
    expired.refresh_from_db()
    first_closed_at = expired.closed_at

    assert tasks.close_expired_actions() == 0

    expired.refresh_from_db()
    assert expired.closed_at == first_closed_at


def test_auto_close_runs_on_the_beat_schedule_under_its_task_name():
    entry = settings.CELERY_BEAT_SCHEDULE["close-expired-actions"]
    assert entry["task"] == tasks.close_expired_actions.name
