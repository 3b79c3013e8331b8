"""Every public form answers the same way to the same defences, and none can be used to
flood someone's inbox (campaigns/defences.py, campaigns.mail.within_daily_cap)."""

import pytest
from django.core import mail

from campaigns.models import Subscription, Supporter
from letters.models import Letter
from petitions.models import ReportedAction, Signature, SolidarityMessage
from tests.factories import (
    ActionTargetFactory,
    LetterTemplateFactory,
    PetitionFactory,
    SignatureFactory,
    SupporterFactory,
    UrgentActionFactory,
)
from tests.forms import filled
from tests.petitions.helpers import run_queued

pytestmark = pytest.mark.django_db

VICTIM = "victim@example.org"


def test_posting_an_address_to_every_form_sends_it_at_most_the_days_cap(
    client, settings, django_capture_on_commit_callbacks
):
    settings.PLUMA_EMAILS_PER_ADDRESS_DAY = 3
    settings.PLUMA_FORM_RATE = settings.PLUMA_SIGN_RATE = "1000/h"
    cases = [UrgentActionFactory() for _ in range(3)]
    official = ActionTargetFactory(action=cases[0]).target
    LetterTemplateFactory(case=cases[0], language="es")
    posts = [(f"/petition/{case.slug}/sign/", {"name": "X", "country": "CA"}) for case in cases]
    posts += [
        (
            f"/letter/{cases[0].slug}/write/",
            {"name": "X", "country": "CA", "targets": [official.pk]},
        )
    ] * 3
    posts += [("/subscribe/", {"frequency": "immediate", "agree": "on"})] * 2
    posts += [("/my-data/", {})] * 2
    with django_capture_on_commit_callbacks() as callbacks:
        for url, data in posts:
            # my-data answers with its notice at once; the others redirect to one.
            assert client.post(url, filled(email=VICTIM, **data)).status_code in (200, 302), url
    run_queued(callbacks)

    assert len([m for m in mail.outbox if m.to == [VICTIM]]) == 3


def test_the_cap_counts_an_address_however_it_is_written(settings):
    from campaigns.mail import within_daily_cap

    settings.PLUMA_EMAILS_PER_ADDRESS_DAY = 2
    assert within_daily_cap("Ana.Lopez+x@gmail.com")
    assert within_daily_cap("analopez@googlemail.com")
    assert not within_daily_cap("ANALOPEZ@gmail.com")
    assert within_daily_cap("someone.else@gmail.com")


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/subscribe/", {"frequency": "immediate", "agree": "on", "email": VICTIM}),
        ("/my-data/", {"email": VICTIM}),
    ],
)
def test_a_cross_site_post_to_any_form_comes_back_and_sends_nothing(
    client, url, data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url, filled(**data), headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 400
    assert "did not say that this form came from this site" in response.content.decode()
    run_queued(callbacks)
    assert not mail.outbox


@pytest.mark.parametrize("url", ["/subscribe/", "/my-data/"])
def test_every_form_is_limited_per_client_and_says_so(client, settings, url):
    settings.PLUMA_FORM_RATE = "2/h"
    data = {"frequency": "immediate", "agree": "on"} if url == "/subscribe/" else {}
    statuses = [
        client.post(url, filled(email=f"p{n}@example.org", **data)).status_code for n in range(3)
    ]
    accepted = 200 if url == "/my-data/" else 302
    assert statuses == [accepted, accepted, 429]


# --- every form of a case, one at a time ----------------------------------------------

FORMS = ["sign", "write", "report", "message", "subscribe", "new link", "my data"]
# Reporting an action and writing a message of solidarity send no email at all.
SENDS_EMAIL = {"sign", "write", "subscribe", "new link", "my data"}


@pytest.fixture
def forms():
    """Each public form that takes an address: its URL and a valid post but the address.
    The address has a pending signature, so that "new link" and "my data" have
    something to send."""
    case = UrgentActionFactory()
    PetitionFactory(action=case, allows_solidarity_messages=True)
    official = ActionTargetFactory(action=case).target
    LetterTemplateFactory(case=case, language="es")
    SignatureFactory(action=case, supporter=SupporterFactory(email=VICTIM))
    slug = case.slug
    return {
        "sign": (f"/petition/{slug}/sign/", {"name": "Ana", "country": "CA"}),
        "write": (
            f"/letter/{slug}/write/",
            {"name": "Ana", "country": "CA", "targets": [official.pk]},
        ),
        "report": (f"/petition/{slug}/report/", {"kind": "called"}),
        "message": (
            f"/petition/{slug}/message/",
            {"name": "Ana", "country": "CA", "message": "Estamos con ustedes."},
        ),
        "subscribe": ("/subscribe/", {"frequency": "immediate", "agree": "on"}),
        "new link": (f"/petition/{slug}/new-link/", {}),
        "my data": ("/my-data/", {}),
    }


def stored() -> tuple[int, ...]:
    """How many rows the forms write, all kinds together."""
    return tuple(
        model.objects.count()
        for model in (
            Supporter,
            Signature,
            Letter,
            ReportedAction,
            SolidarityMessage,
            Subscription,
        )
    )


@pytest.mark.parametrize("form", FORMS)
def test_one_address_posted_to_a_form_again_and_again_gets_at_most_the_days_cap(
    client, settings, forms, form, django_capture_on_commit_callbacks
):
    """Posted from many networks, so that only the cap per address stands in the way."""
    settings.PLUMA_EMAILS_PER_ADDRESS_DAY = 3
    settings.PLUMA_FORM_RATE = settings.PLUMA_SIGN_RATE = "1000/h"
    url, data = forms[form]
    for n in range(12):
        with django_capture_on_commit_callbacks() as callbacks:
            response = client.post(url, filled(email=VICTIM, **data), REMOTE_ADDR=f"192.0.2.{n}")
        assert response.status_code in (200, 302), (n, response.content.decode()[:500])
        run_queued(callbacks)

    sent = len([m for m in mail.outbox if m.to == [VICTIM]])
    assert sent == (3 if form in SENDS_EMAIL else 0)


@pytest.mark.parametrize("form", FORMS)
def test_one_client_posting_a_form_again_and_again_is_told_to_try_later_and_stores_nothing(
    client, settings, forms, form, django_capture_on_commit_callbacks
):
    settings.PLUMA_FORM_RATE = settings.PLUMA_SIGN_RATE = "3/h"
    url, data = forms[form]
    statuses = []
    for n in range(6):
        if n == 3:
            before = (stored(), len(mail.outbox))
        # A new address each time, so that only the limit per client stands in the way.
        email = VICTIM if form == "new link" else f"p{n}@example.org"
        with django_capture_on_commit_callbacks() as callbacks:
            response = client.post(url, filled(email=email, **data))
        run_queued(callbacks)
        statuses.append(response.status_code)

    assert statuses[:3] == [200 if form == "my data" else 302] * 3
    assert statuses[3:] == [429] * 3
    assert "send it again in an hour" in response.content.decode()
    assert response["Retry-After"] == "3600"
    assert (stored(), len(mail.outbox)) == before
