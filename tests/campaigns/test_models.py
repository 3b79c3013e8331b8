import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from campaigns.models import ActionTarget, Target, UrgentAction
from tests.factories import (
    ActionTargetFactory,
    EmbassyFactory,
    TargetFactory,
    UrgentActionFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 10)


def test_deadline_before_issue_date_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        UrgentActionFactory(issued_on=TODAY, deadline=TODAY - datetime.timedelta(days=1))


def test_deadline_on_the_issue_day_is_allowed():
    action = UrgentActionFactory(issued_on=TODAY, deadline=TODAY)
    action.full_clean()


def test_deadline_before_issue_date_fails_validation_with_a_clear_message():
    action = UrgentActionFactory.build(issued_on=TODAY, deadline=TODAY - datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="The deadline cannot be before the issue date"):
        action.full_clean()


def test_closed_case_without_closed_at_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        UrgentActionFactory(status=UrgentAction.Status.CLOSED, closed_at=None)


def test_target_without_any_contact_channel_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        TargetFactory(email="", postal_address="", phone="")


@pytest.mark.parametrize(
    "channel", [{"email": "gob@example.org"}, {"postal_address": "Calle 61"}, {"phone": "+52 999"}]
)
def test_any_one_contact_channel_is_enough(channel):
    target = TargetFactory(**{"email": "", "postal_address": "", "phone": "", **channel})
    target.full_clean()


def test_target_without_contact_channel_fails_validation_with_a_clear_message():
    target = TargetFactory.build(email="", postal_address="", phone="")
    with pytest.raises(ValidationError, match="at least one contact channel"):
        target.full_clean()


@pytest.mark.parametrize("missing", ["represents_country", "accredited_to_country"])
def test_embassy_without_its_countries_is_refused(missing):
    with pytest.raises(IntegrityError):
        EmbassyFactory(**{missing: ""})


def test_embassy_without_countries_fails_validation_with_a_clear_message():
    embassy = EmbassyFactory.build(represents_country="")
    with pytest.raises(ValidationError, match="An embassy needs the country it represents"):
        embassy.full_clean()


def test_an_official_needs_no_embassy_countries():
    TargetFactory(kind=Target.Kind.OFFICIAL, represents_country="", accredited_to_country="")


@pytest.mark.parametrize("number", ["58/20", "1/26", "1234/99"])
def test_ua_numbers_written_as_sequence_slash_year_are_valid(number):
    UrgentActionFactory.build(number=number).full_clean()


@pytest.mark.parametrize("number", ["58-20", "058/20", "58/2020", "/20", "58/", "UA 58/20", "0/20"])
def test_ua_numbers_in_another_shape_are_invalid(number):
    with pytest.raises(ValidationError, match="sequence/year"):
        UrgentActionFactory.build(number=number).full_clean()


def test_ua_numbers_are_unique():
    UrgentActionFactory(number="58/20")
    with pytest.raises(ValidationError, match="Another case already has this UA number"):
        UrgentActionFactory.build(number="58/20").full_clean()
    with pytest.raises(IntegrityError):
        UrgentActionFactory(number="58/20")


def test_slug_replaces_the_slash():
    assert UrgentActionFactory.build(number="58/20").slug == "58-20"


def test_listing_order_puts_open_cases_first_nearest_deadline_first_then_latest_closed():
    now = timezone.now()
    late = UrgentActionFactory(issued_on=TODAY, deadline=TODAY + datetime.timedelta(days=30))
    soon = UrgentActionFactory(issued_on=TODAY, deadline=TODAY + datetime.timedelta(days=5))
    closed_long_ago = UrgentActionFactory(
        status=UrgentAction.Status.CLOSED,
        issued_on=TODAY,
        deadline=TODAY,
        closed_at=now - datetime.timedelta(days=90),
    )
    closed_recently = UrgentActionFactory(
        status=UrgentAction.Status.CLOSED,
        issued_on=TODAY,
        # A later deadline than the other closed case: closing time, not deadline, decides.
        deadline=TODAY + datetime.timedelta(days=60),
        closed_at=now - datetime.timedelta(days=1),
    )
    draft = UrgentActionFactory(status=UrgentAction.Status.DRAFT, opened_at=None)

    assert list(UrgentAction.objects.in_listing_order()) == [
        soon,
        late,
        closed_recently,
        closed_long_ago,
        draft,
    ]


def test_open_lists_only_open_cases():
    open_case = UrgentActionFactory()
    UrgentActionFactory(status=UrgentAction.Status.DRAFT, opened_at=None)
    UrgentActionFactory(status=UrgentAction.Status.CLOSED, closed_at=timezone.now())
    assert list(UrgentAction.objects.open()) == [open_case]


def test_embassy_for_picks_the_embassy_of_the_case_country_accredited_to_the_supporter_country():
    action = UrgentActionFactory(country="MX", writes_to_embassy=True)
    in_canada = EmbassyFactory(represents_country="MX", accredited_to_country="CA")
    EmbassyFactory(represents_country="MX", accredited_to_country="ES")
    EmbassyFactory(represents_country="GT", accredited_to_country="CA")

    assert action.embassy_for("CA") == in_canada


def test_embassy_for_is_none_when_the_case_does_not_copy_the_embassy():
    action = UrgentActionFactory(country="MX", writes_to_embassy=False)
    EmbassyFactory(represents_country="MX", accredited_to_country="CA")
    assert action.embassy_for("CA") is None


def test_embassy_for_is_none_without_a_country_or_a_matching_embassy():
    action = UrgentActionFactory(country="MX", writes_to_embassy=True)
    EmbassyFactory(represents_country="MX", accredited_to_country="CA")
    assert action.embassy_for("") is None
    assert action.embassy_for("FR") is None


def test_embassy_for_skips_inactive_embassies():
    action = UrgentActionFactory(country="MX", writes_to_embassy=True)
    EmbassyFactory(represents_country="MX", accredited_to_country="CA", is_active=False)
    assert action.embassy_for("CA") is None


def test_targets_in_tier_lists_the_tier_in_its_order():
    action = UrgentActionFactory()
    second = ActionTargetFactory(action=action, sort_order=2).target
    first = ActionTargetFactory(action=action, sort_order=1).target
    ActionTargetFactory(action=action, tier=ActionTarget.Tier.COPY, sort_order=0)
    ActionTargetFactory(tier=ActionTarget.Tier.PRIMARY)  # another case's target

    assert list(action.targets_in_tier(ActionTarget.Tier.PRIMARY)) == [first, second]


def test_a_target_is_on_a_case_only_once():
    link = ActionTargetFactory()
    with pytest.raises(IntegrityError):
        ActionTargetFactory(action=link.action, target=link.target, tier=ActionTarget.Tier.COPY)
