"""Each process's short-lived copy of a public case (campaigns/public.py)."""

import pytest
from django.http import Http404

from campaigns import services
from campaigns.models import UrgentAction
from campaigns.public import public_case, public_case_or_404
from tests.factories import UrgentActionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def copies_kept(settings):
    settings.PLUMA_PUBLIC_CASE_SECONDS = 60


def test_a_case_is_found_by_its_url_number():
    action = UrgentActionFactory(number="58/20")
    assert public_case("58-20") == action


def test_drafts_and_unknown_numbers_are_not_public():
    UrgentActionFactory(number="1/26", status=UrgentAction.Status.DRAFT)
    assert public_case("1-26") is None
    assert public_case("9-99") is None
    assert public_case("x" * 500) is None
    with pytest.raises(Http404):
        public_case_or_404("1-26")


def test_a_second_lookup_costs_no_query(copies_kept, django_assert_num_queries):
    UrgentActionFactory(number="58/20")
    public_case("58-20")
    with django_assert_num_queries(0):
        assert public_case("58-20").number == "58/20"


def test_closing_a_case_forgets_the_copy(copies_kept, django_capture_on_commit_callbacks):
    action = UrgentActionFactory(number="58/20")
    assert public_case("58-20").is_open
    with django_capture_on_commit_callbacks(execute=True):
        services.close_action(action=action, outcome_kind="no_further_action")
    assert public_case("58-20").is_closed


def test_saving_a_case_forgets_the_copy(copies_kept):
    action = UrgentActionFactory(number="58/20", title="Before")
    public_case("58-20")
    action.title = "After"
    action.save()
    assert public_case("58-20").title == "After"
