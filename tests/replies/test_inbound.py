"""Receiving replies: ESP inbound webhooks in their real formats, and receive_email."""

import base64
import hashlib
import hmac
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from letters import tokens
from replies import services
from replies.models import InboundMessage, Reply

from .replies_support import eml, payload, send

pytestmark = pytest.mark.django_db
POSTMARK = "/webhooks/anymail/postmark/inbound/"
MAILGUN = "/webhooks/anymail/mailgun/inbound/"
SIGNING_KEY = "key-mailgun-signing-test"


@pytest.fixture(autouse=True)
def _webhook_secrets(settings, esp_webhooks):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "user:pass", "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}
    esp_webhooks("postmark")


@pytest.fixture
def on_mailgun(esp_webhooks):
    """Pluma configured for Mailgun: its webhooks are the ones mounted."""
    esp_webhooks("mailgun")


@pytest.fixture
def sent(letter):
    return send(letter)


def auth(credentials: str = "user:pass") -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(credentials.encode()).decode()}


def post_postmark(client, data: dict, credentials: str = "user:pass"):
    return client.post(
        POSTMARK, json.dumps(data), content_type="application/json", **auth(credentials)
    )


def mailgun_form(delivery, *, key: str = SIGNING_KEY) -> dict:
    data = payload("mailgun_inbound.json", delivery)
    data["signature"] = hmac.new(
        key.encode(), f"{data['timestamp']}{data['token']}".encode(), hashlib.sha256
    ).hexdigest()
    data["attachment-1"] = SimpleUploadedFile(
        "oficio.pdf", b"%PDF-1.4\n%\xc7\xec\x8f\xa2\n%%EOF\n", content_type="application/pdf"
    )
    return data


def route_stored(captured) -> Reply:
    """Run the routing task the receiver enqueued, as the worker would."""
    assert len(captured) == 1
    return services.record_reply(inbound_id=InboundMessage.objects.get().pk)


def test_a_postmark_inbound_reply_is_stored_and_routed_to_its_delivery(
    client, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as captured:
        response = post_postmark(client, payload("postmark_inbound.json", sent))
    assert response.status_code == 200
    stored = InboundMessage.objects.get()
    assert stored.esp_name == "Postmark"
    assert stored.esp_event_id == "22c74902-a0c1-4511-804f-341342852c90"
    assert stored.envelope_recipient == tokens.reply_address(sent.pk)
    reply = route_stored(captured)
    assert reply.kind == Reply.Kind.REPLY
    assert reply.routed_by == Reply.RoutedBy.TOKEN
    assert (reply.delivery, reply.letter, reply.target, reply.case) == (
        sent,
        sent.letter,
        sent.target,
        sent.letter.case,
    )
    assert "medidas de protección" in reply.text
    assert "<script" not in reply.html and "tracker.example" not in reply.html
    assert [(a.content_type, a.filename) for a in reply.attachments.all()] == [
        ("application/pdf", "oficio-1234.pdf")
    ]


def test_a_replayed_postmark_post_is_stored_once_and_routed_once(
    client, sent, django_capture_on_commit_callbacks
):
    data = payload("postmark_inbound.json", sent)
    with django_capture_on_commit_callbacks() as captured:
        assert post_postmark(client, data).status_code == 200
        assert post_postmark(client, data).status_code == 200
    assert InboundMessage.objects.count() == 1
    assert len(captured) == 1
    first = services.record_reply(inbound_id=InboundMessage.objects.get().pk)
    again = services.record_reply(inbound_id=InboundMessage.objects.get().pk)
    assert first == again and Reply.objects.count() == 1


def test_a_postmark_post_without_the_webhook_secret_is_refused_and_stores_nothing(client, sent):
    response = post_postmark(client, payload("postmark_inbound.json", sent), "user:wrong")
    assert response.status_code == 400
    assert not InboundMessage.objects.exists()


def test_a_mailgun_inbound_form_post_is_stored_and_routed(
    client, on_mailgun, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as captured:
        response = client.post(MAILGUN, mailgun_form(sent), **auth())
    assert response.status_code == 200
    stored = InboundMessage.objects.get()
    assert (stored.esp_name, stored.envelope_recipient) == (
        "Mailgun",
        tokens.reply_address(sent.pk),
    )
    reply = route_stored(captured)
    assert (reply.kind, reply.delivery) == (Reply.Kind.REPLY, sent)
    assert reply.text.startswith("Estimada señora")
    assert "escribió" not in reply.text  # the quoted letter is cut off
    assert reply.attachments.get().content_type == "application/pdf"


def test_a_mailgun_post_with_a_wrong_signature_is_refused(client, on_mailgun, sent):
    response = client.post(MAILGUN, mailgun_form(sent, key="not the key"), **auth())
    assert response.status_code == 400
    assert not InboundMessage.objects.exists()


def test_a_replayed_mailgun_post_is_stored_once(client, on_mailgun, sent):
    assert client.post(MAILGUN, mailgun_form(sent), **auth()).status_code == 200
    assert client.post(MAILGUN, mailgun_form(sent), **auth()).status_code == 200
    assert InboundMessage.objects.count() == 1


def test_receive_email_feeds_a_file_to_the_same_path(
    tmp_path, sent, django_capture_on_commit_callbacks
):
    path = tmp_path / "reply.eml"
    path.write_bytes(eml("outlook_reply.eml", sent))
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=False) as captured:
        call_command("receive_email", str(path), stdout=out)
    assert "Stored inbound message" in out.getvalue()
    stored = InboundMessage.objects.get()
    assert (stored.esp_name, stored.envelope_recipient) == (
        "command",
        tokens.reply_address(sent.pk),
    )
    assert route_stored(captured).delivery == sent


def test_receive_email_reads_standard_input_and_ignores_a_second_feed(
    monkeypatch, sent, django_capture_on_commit_callbacks
):
    raw = eml("html_only_reply.eml", sent)

    class Stdin:
        buffer = io.BytesIO(raw)

    monkeypatch.setattr("sys.stdin", Stdin)
    call_command("receive_email", "-", stdout=io.StringIO())
    Stdin.buffer = io.BytesIO(raw)
    out = io.StringIO()
    call_command("receive_email", "-", stdout=out)
    assert "Already received" in out.getvalue()
    assert InboundMessage.objects.count() == 1


def test_receive_email_refuses_a_missing_or_empty_file(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("receive_email", str(tmp_path / "nope.eml"))
    empty = tmp_path / "empty.eml"
    empty.write_bytes(b"\n")
    with pytest.raises(CommandError, match="empty"):
        call_command("receive_email", str(empty))
    assert not InboundMessage.objects.exists()


def test_the_same_message_to_two_reply_addresses_is_two_messages(letter, official):

    delivery = send(letter)
    raw = eml("outlook_reply.eml", delivery)
    services.receive_message(raw=raw, envelope_recipient=tokens.reply_address(delivery.pk))
    services.receive_message(raw=raw, envelope_recipient=tokens.reply_address(delivery.pk + 1))
    assert InboundMessage.objects.count() == 2


def with_scanned_letter(data: dict, size: int) -> dict:
    """The reply with a (pretend) scan attached, base64 as Postmark sends it."""
    scan = b"%PDF-1.4\n" + b"0" * size + b"\n%%EOF\n"
    data["Attachments"] = [
        {
            "Name": "oficio-escaneado.pdf",
            "Content": base64.b64encode(scan).decode(),
            "ContentType": "application/pdf",
            "ContentLength": len(scan),
        }
    ]
    return data


def test_a_reply_larger_than_a_form_post_is_stored(client, sent, settings):
    data = with_scanned_letter(payload("postmark_inbound.json", sent), 3 * 1024 * 1024)
    assert len(json.dumps(data)) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    assert post_postmark(client, data).status_code == 200
    assert InboundMessage.objects.count() == 1


def test_a_large_post_without_the_webhook_secret_gets_no_more_room(client, sent, settings):
    data = with_scanned_letter(payload("postmark_inbound.json", sent), 3 * 1024 * 1024)

    assert post_postmark(client, data, credentials="user:wrong").status_code == 400
    assert not InboundMessage.objects.exists()


def test_a_post_over_the_inbound_limit_is_refused_with_413(client, sent, settings):
    settings.PLUMA_INBOUND_MAX_BYTES = 1024 * 1024
    data = with_scanned_letter(payload("postmark_inbound.json", sent), 2 * 1024 * 1024)

    assert post_postmark(client, data).status_code == 413
    assert not InboundMessage.objects.exists()


# --- the List-Unsubscribe mailto: ---------------------------------------------------------


def unsubscribe_mail(subject: str, sender: str = "ana@example.org") -> bytes:
    return (
        f"From: Ana <{sender}>\r\nTo: unsubscribe@replies.test\r\nSubject: {subject}\r\n"
        "Message-ID: <u1@example.org>\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\n\r\n"
        "Please unsubscribe me.\r\n"
    ).encode()


@pytest.fixture
def unsubscribe_address(settings):
    settings.PLUMA_UNSUBSCRIBE_EMAIL = "unsubscribe@replies.test"
    return settings.PLUMA_UNSUBSCRIBE_EMAIL


def test_a_mail_to_the_unsubscribe_address_stops_updates_on_its_case(unsubscribe_address):
    from campaigns.mail import make_unsubscribe_token
    from campaigns.models import Consent
    from tests.factories import ConsentFactory

    consent = ConsentFactory(kind=Consent.Kind.CASE_UPDATES)
    token = make_unsubscribe_token(supporter_id=consent.supporter_id, action_id=consent.action_id)
    stored, _created = services.receive_message(
        raw=unsubscribe_mail(f"unsubscribe {token}"), envelope_recipient=unsubscribe_address
    )

    reply = services.record_reply(inbound_id=stored.pk)

    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert reply.kind == Reply.Kind.AUTOMATIC and reply.delivery is None
    assert "ana@example.org" not in reply.from_address  # masked: a supporter, not a reply
    stored.refresh_from_db()
    assert bytes(stored.raw) == b""
    assert services.record_reply(inbound_id=stored.pk) == reply


def test_a_mail_to_the_unsubscribe_address_cancels_a_subscription(unsubscribe_address):
    from campaigns.mail import make_subscription_token
    from tests.factories import SubscriptionFactory

    subscription = SubscriptionFactory()
    token = make_subscription_token(subscription_id=subscription.pk, token=subscription.token)
    stored, _created = services.receive_message(
        raw=unsubscribe_mail(f"unsubscribe {token}"), envelope_recipient=unsubscribe_address
    )
    services.record_reply(inbound_id=stored.pk)

    subscription.refresh_from_db()
    assert subscription.cancelled_at is not None


def test_a_forged_unsubscribe_mail_changes_nothing(unsubscribe_address):
    from campaigns.models import Consent
    from tests.factories import ConsentFactory

    consent = ConsentFactory(kind=Consent.Kind.CASE_UPDATES)
    stored, _created = services.receive_message(
        raw=unsubscribe_mail("unsubscribe not-a-token"), envelope_recipient=unsubscribe_address
    )
    reply = services.record_reply(inbound_id=stored.pk)

    consent.refresh_from_db()
    assert consent.withdrawn_at is None
    assert "not ours" in reply.subject
