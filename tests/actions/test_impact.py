import pytest

from actions import impact
from petitions import counts, services
from petitions.models import ReportedAction
from tests.factories import (
    ConfirmedSignatureFactory,
    DeliveryFactory,
    PaperTallyFactory,
    SignatureFactory,
    UrgentActionFactory,
)

pytestmark = pytest.mark.django_db


def test_impact_adds_each_kind_of_act_once():
    action = UrgentActionFactory()
    signer = ConfirmedSignatureFactory(action=action)
    ConfirmedSignatureFactory(action=action)
    ConfirmedSignatureFactory(action=action, is_flagged=True)
    SignatureFactory(action=action)  # pending
    counts.reconcile(action_id=action.pk)
    PaperTallyFactory(action=action, count=10)
    DeliveryFactory(letter__case=action, status="delivered")
    DeliveryFactory(letter__case=action, status="bounced")
    DeliveryFactory(status="delivered")  # another case
    # The signer also reports two kinds, one of them twice with another spelling.
    email = signer.supporter.email
    assert services.report_action(action=action, email=email, kind="posted_letter")
    assert not services.report_action(action=action, email=email.upper(), kind="posted_letter")
    assert services.report_action(action=action, email=email, kind="called")

    result = impact.impact_for(action)

    assert (result.signatures, result.paper, result.letters_delivered) == (2, 10, 1)
    assert result.reported == {"posted_letter": 1, "called": 1}
    assert result.total == 15
    assert ReportedAction.objects.count() == 2


def test_reporting_an_action_shows_at_once_despite_the_cache(django_capture_on_commit_callbacks):
    action = UrgentActionFactory()
    assert impact.impact_for(action).total == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.report_action(action=action, email="ana@example.org", kind="sent_card")
    assert impact.impact_for(action).reported == {"sent_card": 1}


def test_reading_impact_never_counts_signature_rows(django_assert_num_queries):
    action = UrgentActionFactory()
    for _ in range(3):
        ConfirmedSignatureFactory(action=action)
    counts.reconcile(action_id=action.pk)
    with django_assert_num_queries(5) as captured:
        impact.impact_for(action)
    assert not any('"petitions_signature"' in q["sql"] for q in captured.captured_queries)
    with django_assert_num_queries(0):
        impact.impact_for(action)
