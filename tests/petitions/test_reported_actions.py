import pytest

from petitions import services
from petitions.models import ReportedAction
from tests.factories import SupporterFactory, UrgentActionFactory
from tests.forms import filled

pytestmark = pytest.mark.django_db


def test_report_form_counts_once_and_answers_the_same(client):
    action = UrgentActionFactory(number="58/20")
    for _ in range(2):
        response = client.post(
            "/petition/58-20/report/", filled(kind="called", email="Ana@Example.org")
        )
        assert response.status_code == 302
        assert response["Location"] == "/petition/58-20/reported/"
    assert ReportedAction.objects.filter(action=action).count() == 1
    assert client.get("/petition/58-20/reported/").status_code == 200


@pytest.mark.parametrize(
    "data",
    [{"kind": "flew_there", "email": "a@example.org"}, {"kind": "called", "email": "nope"}, {}],
)
def test_report_form_refuses_bad_input_with_a_400(client, data):
    UrgentActionFactory(number="58/20")
    response = client.post("/petition/58-20/report/", data)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert ReportedAction.objects.count() == 0


def test_report_form_is_rate_limited(client, settings):
    settings.PLUMA_FORM_RATE = "2/h"
    UrgentActionFactory(number="58/20")
    statuses = [
        client.post(
            "/petition/58-20/report/", filled(kind="called", email=f"p{i}@example.org")
        ).status_code
        for i in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_same_supporter_row_for_signing_and_reporting():
    action = UrgentActionFactory()
    supporter = SupporterFactory(
        email="ana.lopez@example.org", email_canonical="ana.lopez@example.org"
    )
    services.report_action(action=action, email="Ana.Lopez@example.org", kind="called")
    assert ReportedAction.objects.get().supporter == supporter
