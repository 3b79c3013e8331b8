import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from petitions.admin_views import breakdown
from petitions.models import Signature
from tests.factories import (
    PaperSignatureFactory,
    PaperTallyFactory,
    PetitionFactory,
    SignatureFactory,
    UrgentActionFactory,
)

pytestmark = pytest.mark.django_db


def _confirmed(action, day: datetime.date, **kwargs):
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    return SignatureFactory(
        action=action, status=Signature.Status.CONFIRMED, confirmed_at=at, **kwargs
    )


def test_the_breakdown_counts_by_status_country_day_and_source(django_assert_max_num_queries):
    action = UrgentActionFactory()
    monday, tuesday = datetime.date(2026, 11, 16), datetime.date(2026, 11, 17)
    _confirmed(action, monday, country="CA", source="newsletter")
    _confirmed(action, monday, country="CA", source="")
    _confirmed(action, tuesday, country="MX", source="newsletter")
    SignatureFactory.create_batch(2, action=action, country="CA")  # pending
    _confirmed(action, tuesday, country="CA", is_flagged=True, flag_reason="honeypot")
    SignatureFactory(action=action, is_flagged=True, flag_reason="rate limit")
    _confirmed(UrgentActionFactory(), monday)  # another case
    PaperTallyFactory(action=action, count=40)
    PaperSignatureFactory.create_batch(2, action=action, country="MX")

    with django_assert_max_num_queries(8):
        numbers = breakdown(action)

    assert (numbers["confirmed"], numbers["pending"], numbers["flagged"]) == (3, 2, 2)
    assert (numbers["paper_tallied"], numbers["paper_named"], numbers["total"]) == (40, 2, 45)
    assert [(r["code"], r["online"], r["paper"], r["total"]) for r in numbers["by_country"]] == [
        ("MX", 1, 2, 3),
        ("CA", 2, 0, 2),
    ]
    assert [(r["day"], r["n"]) for r in numbers["by_day"]] == [(monday, 2), (tuesday, 1)]
    assert [(r["source"], r["n"]) for r in numbers["by_source"]] == [("newsletter", 2), ("", 1)]
    assert {r["flag_reason"]: r["n"] for r in numbers["flag_reasons"]} == {
        "honeypot": 1,
        "rate limit": 1,
    }


def test_organizers_see_the_report_and_the_export_button(organizer_client):
    petition = PetitionFactory()
    _confirmed(petition.action, datetime.date(2026, 11, 16), country="CA")
    response = organizer_client.get(f"/admin/petitions/report/{petition.action.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-number="confirmed">1<' in page
    assert f"/admin/petitions/export/{petition.action.pk}/" in page
    listing = organizer_client.get("/admin/case_petitions/").content.decode()
    assert f"/admin/petitions/report/{petition.action.pk}/" in listing


def test_signatures_are_listed_read_only_without_email_addresses(organizer_client, admin_client):
    signature = SignatureFactory(name="Ana López")
    for client in (organizer_client, admin_client):
        listing = client.get("/admin/signatures/")
        assert listing.status_code == 200
        assert "Ana López" in listing.content.decode()
        assert signature.supporter.email not in listing.content.decode()
        detail = client.get(f"/admin/signatures/inspect/{signature.pk}/")
        assert detail.status_code == 200
        assert signature.supporter.email not in detail.content.decode()
        assert client.get("/admin/signatures/new/").status_code == 404
        assert client.get(f"/admin/signatures/edit/{signature.pk}/").status_code == 404
        assert client.get(f"/admin/signatures/delete/{signature.pk}/").status_code == 404


def test_organizers_record_a_paper_tally_and_it_counts(organizer_client, organizer):
    from petitions import counts
    from petitions.models import PaperTally

    action = UrgentActionFactory()
    assert counts.paper_count(action.pk) == 0
    response = organizer_client.post(
        "/admin/paper_tallies/new/",
        {
            "action": action.pk,
            "count": 120,
            "collected_on": "2026-11-20",
            "collected_where": "Vigil, Toronto",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert PaperTally.objects.get().recorded_by == organizer
    assert counts.paper_count(action.pk) == 120


def test_the_groups_get_their_petitions_permissions():
    organizers = set(
        Group.objects.get(name="Organizers").permissions.values_list("codename", flat=True)
    )
    assert {
        "view_signature",
        "view_petition",
        "view_papertally",
        "add_papersignature",
        "change_papertally",
        "export_signatures",
    } <= organizers
    assert "change_signature" not in organizers and "delete_papertally" not in organizers
    editors = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    assert {"add_petition", "change_petition"} <= editors
    assert "export_signatures" not in editors
