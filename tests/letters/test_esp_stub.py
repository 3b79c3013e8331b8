"""The real anymail Postmark backend against the ESP stub: what actually reaches the ESP."""

import json
from email.utils import parseaddr

import pytest
from django.core import mail

from letters import services
from letters.models import Delivery, DeliveryPolicy
from letters.services import Outcome
from tests.factories import LetterFactory, SupporterFactory

pytestmark = pytest.mark.django_db
Status = Delivery.Status


def time_passes(delivery: Delivery) -> None:
    """The backoff is over and the target's next slot is free."""
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.queued_at)
    DeliveryPolicy.objects.filter(target=delivery.target).update(next_slot_at=None)


def queued(letter) -> Delivery:
    services.queue_letter(letter=letter)
    return letter.deliveries.get()


def test_a_delivery_reaches_the_esp_once_and_its_message_id_is_recorded(postmark, letter):
    delivery = queued(letter)
    assert services.deliver(delivery_id=delivery.pk) == Outcome.SENT
    assert services.deliver(delivery_id=delivery.pk) == Outcome.SKIPPED
    [sent] = postmark.messages
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT
    assert delivery.esp_message_id == sent["MessageID"]
    assert postmark.metadata_counts() == {str(delivery.pk): 1}
    assert parseaddr(sent["From"]) == (
        f"{letter.supporter.name} via Amnistía",
        "letters@org.example",
    )
    assert sent["ReplyTo"].startswith("r-") and sent["ReplyTo"].endswith("@reply.org.example")
    assert {"Name": "Message-ID", "Value": delivery.message_id} in sent["Headers"]


def test_no_supporter_email_or_postal_address_reaches_the_esp(postmark, case, official):
    supporter = SupporterFactory(
        email="private.person@example.net", postal_code="H2X 1Y4", city="Montréal"
    )
    letter = LetterFactory(case=case, supporter=supporter, targets=[official])
    services.deliver(delivery_id=queued(letter).pk)
    request = json.dumps(postmark.messages, ensure_ascii=False)
    assert "private.person" not in request and "example.net" not in request
    assert "H2X" not in request
    assert "Montréal" in request


def test_line_breaks_in_name_and_subject_never_reach_the_esp_request(postmark, case, official):
    supporter = SupporterFactory(name="Ana\r\nBcc: victim@example.com")
    letter = LetterFactory(
        case=case,
        supporter=supporter,
        targets=[official],
        subject="Hola\nBcc: victim@example.com\r\nX-Injected: 1",
    )
    services.deliver(delivery_id=queued(letter).pk)
    [sent] = postmark.messages
    assert "Bcc" not in sent and "Cc" not in sent
    for field in ("From", "To", "ReplyTo", "Subject"):
        assert "\r" not in sent[field] and "\n" not in sent[field]
    for header in sent.get("Headers", []):
        assert "\n" not in header["Name"] + header["Value"]
        assert header["Name"].lower() != "x-injected"


@pytest.mark.parametrize("answer", ["429", "500"])
def test_a_rate_limit_or_server_error_is_retried_later_and_sent_once(postmark, letter, answer):
    postmark.answer(answer)
    delivery = queued(letter)
    assert services.deliver(delivery_id=delivery.pk) == Outcome.RETRY
    assert postmark.messages == []
    time_passes(delivery)
    assert services.deliver(delivery_id=delivery.pk) == Outcome.SENT
    assert postmark.metadata_counts() == {str(delivery.pk): 1}
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and delivery.attempts == 2


def test_a_hanging_esp_times_out_and_the_letter_is_flagged_not_resent(postmark, letter):
    postmark.answer("hang")
    delivery = queued(letter)
    assert services.deliver(delivery_id=delivery.pk) == Outcome.UNCERTAIN
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and delivery.is_uncertain
    assert "timed out" in delivery.error.lower()
    services.sweep_deliveries()
    assert services.deliver(delivery_id=delivery.pk) == Outcome.SKIPPED
    assert postmark.metadata_counts() == {str(delivery.pk): 1}


@pytest.mark.parametrize("answer", ["inactive", "invalid"])
def test_a_rejected_address_fails_and_the_supporter_gets_a_copy(
    postmark, letter, answer, settings, django_capture_on_commit_callbacks
):
    postmark.answer(answer)
    delivery = queued(letter)
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.deliver(delivery_id=delivery.pk) == Outcome.FAILED
    assert len(callbacks) == 1
    delivery.refresh_from_db()
    assert delivery.status == Status.FAILED
    assert delivery.error_code in ("rejected_address", "bad_request")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.tell_supporter_of_failure(delivery_id=delivery.pk)
    assert mail.outbox[0].to == [letter.supporter.email]


def test_an_esp_that_cannot_be_reached_is_retried(settings, letter):
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    # Port 9 on localhost: nothing listens, the connection is refused.
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "x", "POSTMARK_API_URL": "http://127.0.0.1:9/"}
    delivery = queued(letter)
    assert services.deliver(delivery_id=delivery.pk) == Outcome.RETRY
    assert Delivery.objects.get(pk=delivery.pk).status == Status.QUEUED
