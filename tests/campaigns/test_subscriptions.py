import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from campaigns import services
from campaigns.mail import subscription_url
from campaigns.models import Announcement, Consent, Subscription
from tests.factories import SubscriptionFactory, SupporterFactory, UrgentActionFactory
from tests.forms import filled

pytestmark = pytest.mark.django_db

CONFIRM_LINK = re.compile(r"https?://\S+/subscribe/confirm/[^/\s]+/")
MANAGE_LINK = re.compile(r"https?://\S+/subscription/[^/\s]+/(?=\s)")


def subscribe(client, **data):
    form = {"email": "ana@example.org", "frequency": "immediate", "agree": "on", **data}
    return client.post("/subscribe/", filled(**form))


def test_subscribing_takes_effect_only_after_the_button_in_the_email(
    client, eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = subscribe(client, categories=["defenders"], countries=["MX"])
    assert response.status_code == 302
    subscription = Subscription.objects.get()
    assert not subscription.is_active
    (message,) = mail.outbox
    assert message.to == ["ana@example.org"]
    assert "List-Unsubscribe" in message.extra_headers
    link = urlsplit(CONFIRM_LINK.search(message.body).group(0)).path

    assert client.get(link).status_code == 200  # a mail scanner's visit changes nothing
    subscription.refresh_from_db()
    assert not subscription.is_active

    response = client.post(link)
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.is_active
    consent = Consent.objects.get(kind=Consent.Kind.NEW_CASES)
    assert consent.supporter == subscription.supporter
    assert "new Urgent Actions" in consent.text
    assert (subscription.category_list, subscription.country_list) == (["defenders"], ["MX"])


def test_the_answer_is_the_same_for_a_known_and_an_unknown_address(client):
    SupporterFactory(email="known@example.org", email_canonical="known@example.org")
    known = subscribe(client, email="known@example.org")
    unknown = subscribe(client, email="stranger@example.org")
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)


def test_a_bad_subscribe_form_gets_a_400_with_messages(client):
    response = subscribe(client, email="not an address", frequency="hourly")
    assert response.status_code == 400
    assert b"valid email" in response.content
    assert not Subscription.objects.exists()


def test_a_case_going_live_is_sent_to_matching_immediate_subscribers_only(
    eager, django_capture_on_commit_callbacks
):
    wants = SubscriptionFactory(categories=",defenders,", countries=",MX,")
    everything = SubscriptionFactory()
    SubscriptionFactory(categories=",torture,")
    SubscriptionFactory(frequency="weekly")
    SubscriptionFactory(confirmed_at=None)
    SubscriptionFactory(cancelled_at=timezone.now())
    action = UrgentActionFactory(status="draft", opened_at=None, category="defenders", country="MX")

    with django_capture_on_commit_callbacks(execute=True):
        services.open_action(action=action)

    assert Announcement.objects.get().kind == Announcement.Kind.NEW_CASE
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [wants.supporter.email, everything.supporter.email]
    )
    message = mail.outbox[0]
    assert action.number in message.subject
    assert "/subscription/" in message.extra_headers["List-Unsubscribe"]
    assert MANAGE_LINK.search(message.body)


def opened(days_ago, **kwargs):
    return UrgentActionFactory(
        opened_at=timezone.now() - datetime.timedelta(days=days_ago), **kwargs
    )


def test_weekly_digests_group_the_weeks_matching_cases_and_go_once_a_week(eager):
    subscription = SubscriptionFactory(
        frequency="weekly",
        categories=",defenders,migrants,",
        countries=",MX,",
        confirmed_at=timezone.now() - datetime.timedelta(days=8),
    )
    defenders = opened(2, category="defenders", country="MX", title="Protect Ana")
    migrants = opened(3, category="migrants", country="MX", title="Free the migrants")
    opened(3, category="torture", country="MX", title="Stop torture")
    opened(3, category="defenders", country="CO", title="Protect Luis")
    opened(9, category="defenders", country="MX", title="Before the subscription")
    UrgentActionFactory(status="draft", opened_at=None, category="defenders", country="MX")

    assert services.send_due_weekly_digests() == 1
    (message,) = mail.outbox
    assert "2 new Urgent Actions" in message.subject
    body = message.body
    for title in ("Protect Ana", "Free the migrants"):
        assert title in body
    for title in ("Stop torture", "Protect Luis", "Before the subscription"):
        assert title not in body
    # Grouped under each category's heading.
    assert body.index("Protection of human rights defenders") < body.index("Protect Ana")
    assert body.index("Migrants and refugees") < body.index("Free the migrants")
    assert defenders.number in body and migrants.number in body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    assert services.send_due_weekly_digests() == 0
    assert services.send_weekly_digest(subscription_id=subscription.pk) is False
    assert len(mail.outbox) == 1


def test_a_weekly_subscriber_gets_nothing_in_a_week_without_new_cases(eager):
    SubscriptionFactory(frequency="weekly", confirmed_at=timezone.now() - datetime.timedelta(8))
    services.send_due_weekly_digests()
    assert mail.outbox == []


def test_the_link_in_every_email_changes_or_ends_the_subscription(client):
    subscription = SubscriptionFactory()
    url = urlsplit(subscription_url(subscription=subscription, language="en")).path
    assert client.get(url).status_code == 200

    response = client.post(url, {"frequency": "weekly", "categories": ["torture"]})
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.frequency, subscription.category_list) == ("weekly", ["torture"])

    client.post(url, {"cancel": "1"})
    subscription.refresh_from_db()
    assert subscription.cancelled_at is not None


def test_one_click_unsubscribe_ends_a_subscription_and_withdraws_its_consent(client):
    subscription = SubscriptionFactory()
    Consent.objects.create(supporter=subscription.supporter, kind="new_cases", text="Yes")
    url = subscription_url(
        subscription=subscription, language="en", name="campaigns:subscription_unsubscribe"
    )
    response = Client(enforce_csrf_checks=True).post(
        urlsplit(url).path, {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.cancelled_at is not None
    assert Consent.objects.get().withdrawn_at is not None


def test_a_tampered_subscription_link_gets_a_400(client):
    subscription = SubscriptionFactory()
    url = urlsplit(subscription_url(subscription=subscription, language="en")).path
    assert client.get(url.replace("/subscription/", "/subscription/x")).status_code == 400
    # A link from before the token changed stops working.
    Subscription.objects.filter(pk=subscription.pk).update(token="rotated")
    assert client.get(url).status_code == 400


def test_subscription_links_do_not_carry_the_address():
    subscription = SubscriptionFactory()
    url = subscription_url(subscription=subscription, language="en")
    assert subscription.supporter.email not in url
