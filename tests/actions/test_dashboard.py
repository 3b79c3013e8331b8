import pytest
from django.utils import timezone

from actions import dashboard
from petitions import counts
from tests.factories import (
    ConfirmedSignatureFactory,
    DeliveryFactory,
    HandoverFactory,
    UrgentActionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    action = UrgentActionFactory(number="58/20")
    for country, source in [("CA", "newsletter"), ("CA", "newsletter"), ("MX", ""), ("ES", "x")]:
        ConfirmedSignatureFactory(action=action, country=country, source=source)
    ConfirmedSignatureFactory(action=action, country="FR", is_flagged=True)
    counts.reconcile(action_id=action.pk)
    DeliveryFactory(letter__case=action, status="delivered")
    DeliveryFactory(letter__case=action, status="bounced")
    HandoverFactory(action=action, count_delivered=35000)
    return action


def test_dashboard_groups_by_day_country_source_and_delivery(case):
    data = dashboard.case_dashboard(case)
    assert data["days"][-1]["day"] == timezone.localdate()
    assert data["days"][-1]["signatures"] == 4 and len(data["days"]) == 30
    assert data["countries"][0] == ("Canada", 2) and len(data["countries"]) == 3
    assert ("newsletter", 2) in data["sources"]
    assert dict(data["deliveries"])["Delivered"] == 1 and dict(data["deliveries"])["Bounced"] == 1
    assert data["impact"].total == 5


def test_dashboard_costs_a_fixed_number_of_queries(case, django_assert_max_num_queries):
    from django.core.cache import cache

    # Impact parts, three per-day groups, countries, sources, deliveries, replies,
    # handovers, packs, pending messages, letters and announcements waiting to go: none
    # grows with the signatures.
    with django_assert_max_num_queries(18) as small:
        dashboard.case_dashboard(case)
    for _ in range(20):
        ConfirmedSignatureFactory(action=case, country="AR")
    cache.clear()
    with django_assert_max_num_queries(18) as larger:
        dashboard.case_dashboard(case)
    assert len(larger.captured_queries) == len(small.captured_queries)


def test_dashboard_page_renders_for_organizers(client, case):
    assert client.get(f"/admin/petitions/dashboard/{case.pk}/").status_code == 302
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get(f"/admin/petitions/dashboard/{case.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and "Canada" in html and "newsletter" in html
    assert "35,000 messages handed to" in html
    assert client.get("/admin/petitions/dashboard/").status_code == 200
