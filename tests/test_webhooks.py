"""The ESP webhooks config/webhooks.py mounts: only the configured ESP's, and a 400 for a
post they cannot read."""

import base64

import pytest
from anymail.signals import tracking
from django.conf import settings as django_settings
from django.test import Client
from django.urls import resolve

from config.webhooks import WEBHOOK_VIEWS
from letters.models import DeliveryEvent
from replies.models import InboundMessage

pytestmark = pytest.mark.django_db

SECRET = "user:pass"
AUTH = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(SECRET.encode()).decode()}
OTHER_ESPS = [
    "mandrill/",
    "mandrill/tracking/",
    "postal/tracking/",
    "postal/inbound/",
    "mailersend/tracking/",
    "brevo/tracking/",
    "resend/inbound/",
    "sparkpost/tracking/",
    "unisender_go/tracking/",
    "mailgun/tracking/",
    "amazon_ses/inbound/",
    "sendgrid/tracking/",
]


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def test_every_esp_pluma_sends_through_has_its_webhooks():
    assert set(WEBHOOK_VIEWS) == set(django_settings.ANYMAIL_BACKENDS)


def is_a_page_path(path: str) -> bool:
    """Whether ``path`` falls through to Wagtail's pages, which take no posts (405)."""
    return resolve(path).url_name == "wagtail_serve"


@pytest.mark.parametrize("other", OTHER_ESPS)
def test_webhooks_of_esps_pluma_does_not_use_are_not_there(client, esp_webhooks, other):
    esp_webhooks("postmark")
    path = f"/webhooks/anymail/{other}"
    assert is_a_page_path(path)
    response = client.post(path, "{}", content_type="application/json")
    assert response.status_code == 405


def test_the_configured_esps_webhooks_refuse_a_post_without_the_secret(client, esp_webhooks):
    esp_webhooks("postmark")
    for kind in ("tracking", "inbound"):
        response = client.post(
            f"/webhooks/anymail/postmark/{kind}/", "{}", content_type="application/json"
        )
        assert response.status_code == 400


def test_without_an_esp_no_webhook_is_served(client, esp_webhooks):
    esp_webhooks("")
    path = "/webhooks/anymail/postmark/tracking/"
    assert is_a_page_path(path)
    assert client.post(path, "{}", content_type="application/json", **AUTH).status_code == 405


SES_HEADERS = {"HTTP_X_AMZ_SNS_MESSAGE_TYPE": "Notification", "HTTP_X_AMZ_SNS_MESSAGE_ID": "1"}


@pytest.mark.parametrize(
    ("esp", "kind", "body", "headers"),
    [
        ("postmark", "tracking", b"{not json", {}),
        ("postmark", "inbound", b"{not json", {}),
        ("postmark", "tracking", b'{"RecordType": "Delivery", "Metadata": 5}', {}),
        ("sendgrid", "tracking", b"{not json", {}),
        ("sendgrid", "tracking", b'[{"event": 5, "timestamp": "NaN"}]', {}),
        ("sendgrid", "inbound", b"{}", {}),
        ("amazon_ses", "tracking", b"{not json", SES_HEADERS),
        ("amazon_ses", "inbound", b"[]", SES_HEADERS),
    ],
)
def test_an_authenticated_post_that_cannot_be_read_gets_a_400_and_changes_nothing(
    client, esp_webhooks, esp, kind, body, headers
):
    esp_webhooks(esp)
    response = client.generic(
        "POST",
        f"/webhooks/anymail/{esp}/{kind}/",
        body,
        content_type="application/json",
        **AUTH,
        **headers,
    )
    assert response.status_code == 400
    assert b"could not be read: nothing was changed" in response.content
    assert not DeliveryEvent.objects.exists() and not InboundMessage.objects.exists()


def test_an_error_of_pluma_s_own_receivers_stays_a_500_so_the_esp_retries(client, esp_webhooks):
    def broken_receiver(**kwargs):
        raise KeyError("a bug of ours, not the ESP's")

    esp_webhooks("postmark")
    tracking.connect(broken_receiver, dispatch_uid="tests.broken_receiver")
    try:
        response = client.post(
            "/webhooks/anymail/postmark/tracking/",
            '{"RecordType": "Delivery", "MessageID": "x", "Recipient": "a@example.org",'
            ' "DeliveredAt": "2026-11-05T16:33:54Z", "Metadata": {}}',
            content_type="application/json",
            **AUTH,
        )
    finally:
        tracking.disconnect(dispatch_uid="tests.broken_receiver")
    assert response.status_code == 500
