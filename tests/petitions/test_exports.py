import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.http import StreamingHttpResponse
from django.utils import timezone

from petitions.models import ExportLog, Signature
from petitions.services import exports
from tests.factories import SignatureFactory, UrgentActionFactory, UserFactory

pytestmark = pytest.mark.django_db


def confirmed(action, **kwargs):
    return SignatureFactory(
        action=action, status=Signature.Status.CONFIRMED, confirmed_at=timezone.now(), **kwargs
    )


def test_the_export_streams_the_counted_signatures_safely_and_is_logged(
    organizer_client, organizer
):
    action = UrgentActionFactory()
    ana = confirmed(action, name="Ana López", city="Ottawa", source="newsletter")
    formula = confirmed(action, name="=HYPERLINK(1)", city="@home", comment="-1+2")
    SignatureFactory(action=action)  # pending
    confirmed(action, is_flagged=True, flag_reason="rate limit")
    confirmed(UrgentActionFactory())  # another case

    response = organizer_client.get(f"/admin/petitions/export/{action.pk}/")

    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    log = ExportLog.objects.get()
    assert (log.user, log.action, log.is_complete) == (organizer, action, False)

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert [row["id"] for row in rows] == [str(ana.pk), str(formula.pk)]
    assert rows[0]["name"] == "Ana López" and rows[0]["source"] == "newsletter"
    assert (rows[1]["name"], rows[1]["city"], rows[1]["comment"]) == (
        "'=HYPERLINK(1)",
        "'@home",
        "'-1+2",
    )
    assert "email" not in rows[0]
    log.refresh_from_db()
    assert (log.rows, log.is_complete) == (2, True)
    assert log.finished_at is not None


def test_an_export_cut_off_midway_is_logged_as_incomplete(organizer):
    action = UrgentActionFactory()
    for _ in range(5):
        confirmed(action)
    log, lines = exports.export_signatures(action=action, user=organizer)
    next(lines)  # the first chunk, then the client goes away and the server closes it
    lines.close()

    log.refresh_from_db()
    assert (log.rows, log.is_complete) == (5, False)
    assert log.finished_at is not None


def test_exporting_needs_the_export_permission(client):
    action = UrgentActionFactory()
    confirmed(action)
    user = UserFactory()
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_signature"),
    )
    client.force_login(user)

    assert client.get(f"/admin/petitions/export/{action.pk}/").status_code == 403
    assert not ExportLog.objects.exists()
