"""Postmark tracking webhooks, posted through anymail's real view with real payloads."""

import base64
import json

import pytest
from django.core import mail
from django.utils import timezone

from letters import services
from letters.models import Delivery, DeliveryEvent

from .conftest import payload

pytestmark = pytest.mark.django_db
URL = "/webhooks/anymail/postmark/tracking/"
Status = Delivery.Status


@pytest.fixture(autouse=True)
def _webhook_secret(settings, esp_webhooks):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "user:pass"}
    esp_webhooks("postmark")


def auth(credentials: str = "user:pass") -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(credentials.encode()).decode()}


@pytest.fixture
def sent(letter):
    services.queue_letter(letter=letter)
    delivery = letter.deliveries.get()
    services.deliver(delivery_id=delivery.pk)
    Delivery.objects.filter(pk=delivery.pk).update(
        esp_message_id="883953f4-6105-42a2-a16a-77a8eac79483"
    )
    mail.outbox.clear()
    delivery.refresh_from_db()
    return delivery


def post(client, data: dict, credentials: str = "user:pass"):
    return client.post(URL, json.dumps(data), content_type="application/json", **auth(credentials))


def for_delivery(name: str, delivery: Delivery) -> dict:
    return payload(name, Metadata={"delivery_id": str(delivery.pk)})


def test_a_delivery_event_marks_the_letter_delivered(client, sent):
    response = post(client, for_delivery("postmark_delivery", sent))
    assert response.status_code == 200
    sent.refresh_from_db()
    assert sent.status == Status.DELIVERED
    assert sent.delivered_at.isoformat().startswith("2026-11-05T16:33:54")


def test_a_delivery_is_found_by_message_id_without_metadata(client, sent):
    data = payload("postmark_delivery")
    del data["Metadata"]
    assert post(client, data).status_code == 200
    assert Delivery.objects.get(pk=sent.pk).status == Status.DELIVERED


def test_a_hard_bounce_marks_it_bounced_and_tells_the_supporter(
    client, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        assert post(client, for_delivery("postmark_bounce", sent)).status_code == 200
    sent.refresh_from_db()
    assert sent.status == Status.BOUNCED and sent.bounced_at
    assert "does not exist" in sent.error
    assert len(callbacks) == 1
    services.tell_supporter_of_failure(delivery_id=sent.pk)
    assert mail.outbox[0].to == [sent.letter.supporter.email]
    assert "refused" in mail.outbox[0].body


def test_a_bounce_after_delivery_still_counts(client, sent):
    post(client, for_delivery("postmark_delivery", sent))
    post(client, for_delivery("postmark_bounce", sent))
    assert Delivery.objects.get(pk=sent.pk).status == Status.BOUNCED


def test_a_late_delivery_event_does_not_undo_a_bounce(client, sent):
    post(client, for_delivery("postmark_bounce", sent))
    post(client, for_delivery("postmark_delivery", sent))
    assert Delivery.objects.get(pk=sent.pk).status == Status.BOUNCED


def test_a_spam_complaint_is_recorded_and_proves_delivery(client, sent):
    assert post(client, for_delivery("postmark_spam_complaint", sent)).status_code == 200
    assert Delivery.objects.get(pk=sent.pk).status == Status.DELIVERED
    assert DeliveryEvent.objects.get().event_type == "complained"


@pytest.mark.parametrize("name", ["postmark_delivery", "postmark_bounce"])
def test_a_replayed_event_changes_nothing_twice(client, sent, name):
    data = for_delivery(name, sent)
    post(client, data)
    first = Delivery.objects.values().get(pk=sent.pk)
    Delivery.objects.filter(pk=sent.pk).update(status=Status.SENT)
    assert post(client, data).status_code == 200
    assert Delivery.objects.get(pk=sent.pk).status == Status.SENT
    assert DeliveryEvent.objects.count() == 1
    assert first["status"] != Status.SENT


@pytest.mark.parametrize("credentials", ["user:wrong", "intruder:pass"])
def test_a_wrong_secret_is_refused_and_changes_nothing(client, sent, credentials):
    response = post(client, for_delivery("postmark_bounce", sent), credentials=credentials)
    assert response.status_code in (400, 403)
    assert Delivery.objects.get(pk=sent.pk).status == Status.SENT
    assert DeliveryEvent.objects.count() == 0


def test_no_secret_at_all_is_refused(client, sent):
    data = json.dumps(for_delivery("postmark_bounce", sent))
    response = client.post(URL, data, content_type="application/json")
    assert response.status_code in (400, 403)
    assert Delivery.objects.get(pk=sent.pk).status == Status.SENT


def test_an_event_for_an_unknown_delivery_is_kept_and_moves_nothing(client, sent):
    data = payload("postmark_bounce", Metadata={"delivery_id": "999999"}, MessageID="other")
    assert post(client, data).status_code == 200
    assert DeliveryEvent.objects.get().delivery is None
    assert Delivery.objects.get(pk=sent.pk).status == Status.SENT


def test_an_event_before_the_send_was_recorded_still_lands(client, letter):
    services.queue_letter(letter=letter)
    delivery = letter.deliveries.get()
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(status=Status.SENDING, lease_expires_at=now)
    post(client, for_delivery("postmark_delivery", delivery))
    delivery.refresh_from_db()
    assert delivery.status == Status.DELIVERED
    assert delivery.esp_message_id == "883953f4-6105-42a2-a16a-77a8eac79483"


@pytest.fixture
def stub_with_secret(postmark, settings):
    """The ESP stub (its fixture replaces the ANYMAIL settings), webhooks still secured."""
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": "user:pass"}
    return postmark


def test_a_bounce_on_a_digest_marks_every_letter_in_it_and_tells_each_supporter(
    client, stub_with_secret, case, official, django_capture_on_commit_callbacks
):
    postmark = stub_with_secret
    from letters.models import DeliveryPolicy
    from letters.services import digests

    from .test_digests import write_letters

    DeliveryPolicy.objects.create(target=official, mode=DeliveryPolicy.Mode.DAILY_DIGEST)
    deliveries = write_letters(case, official, 3)
    assert digests.send_digest(target_id=official.pk) == "sent"
    (message,) = postmark.messages

    bounce = payload(
        "postmark_bounce",
        MessageID=message["MessageID"],
        Metadata={"digest_of": str(deliveries[0].pk), "letters": "3"},
    )
    with django_capture_on_commit_callbacks() as callbacks:
        assert post(client, bounce).status_code == 200

    assert {row.status for row in Delivery.objects.all()} == {Status.BOUNCED}
    assert len(callbacks) == 3
    assert DeliveryEvent.objects.get().delivery_id == deliveries[0].pk


def test_a_digest_event_without_metadata_is_found_by_the_esps_message_id(
    client, stub_with_secret, case, official
):
    postmark = stub_with_secret
    from letters.models import DeliveryPolicy
    from letters.services import digests

    from .test_digests import write_letters

    DeliveryPolicy.objects.create(target=official, mode=DeliveryPolicy.Mode.DAILY_DIGEST)
    write_letters(case, official, 2)
    digests.send_digest(target_id=official.pk)
    (message,) = postmark.messages
    delivered = payload("postmark_delivery", MessageID=message["MessageID"])
    del delivered["Metadata"]

    assert post(client, delivered).status_code == 200
    assert {row.status for row in Delivery.objects.all()} == {Status.DELIVERED}
