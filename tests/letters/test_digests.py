import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from letters import services
from letters.models import Delivery, DeliveryPolicy
from letters.services import digests
from tests.factories import LetterFactory, SupporterFactory, TargetFactory

pytestmark = pytest.mark.django_db

Status = Delivery.Status


@pytest.fixture
def digest_official(official):
    official.language = "en"
    official.save()
    DeliveryPolicy.objects.create(target=official, mode=DeliveryPolicy.Mode.DAILY_DIGEST)
    return official


def write_letters(case, target, count: int) -> list[Delivery]:
    deliveries = []
    for number in range(count):
        supporter = SupporterFactory(
            name=f"Ana López {number}", city="Ottawa", postal_code="K1A 0B1", country="CA"
        )
        letter = LetterFactory(case=case, supporter=supporter, targets=[target])
        deliveries += services.queue_letter(letter=letter)
    return deliveries


def test_digest_letters_wait_instead_of_going_one_by_one(postmark, case, digest_official):
    (delivery,) = write_letters(case, digest_official, 1)
    assert services.deliver(delivery_id=delivery.pk) == "held"
    assert services.sweep_deliveries()["enqueued"] == 0
    assert Delivery.objects.get().status == Status.QUEUED
    assert postmark.messages == []


def test_one_digest_carries_every_waiting_letter_and_marks_them_sent(
    postmark, case, digest_official
):
    deliveries = write_letters(case, digest_official, 3)

    assert digests.send_digest(target_id=digest_official.pk) == "sent"

    (message,) = postmark.messages
    assert message["To"] == f"{digest_official.name} <{digest_official.email}>"
    body = message["TextBody"]
    for number in range(3):
        assert f"Ana López {number}, Ottawa, Canada" in body
    assert "Letter 3 of 3, on UA 58/20" in body
    assert "3 letters from supporters of Amnistía" in message["Subject"]
    rows = Delivery.objects.order_by("pk")
    assert {row.status for row in rows} == {Status.SENT}
    assert {row.message_id for row in rows} == {digests.digest_message_id(deliveries[0].pk)}
    assert {row.esp_message_id for row in rows} == {message["MessageID"]}


def test_a_digest_speaks_the_targets_language(postmark, case, digest_official):
    digest_official.language = "es"
    digest_official.save()
    write_letters(case, digest_official, 2)
    digests.send_digest(target_id=digest_official.pk)
    (message,) = postmark.messages
    assert message["Subject"] == "2 cartas de simpatizantes de Amnistía"
    assert "Ana López 1, Ottawa, Canadá" in message["TextBody"]


def test_a_digest_never_shows_supporters_email_or_postal_address(postmark, case, digest_official):
    write_letters(case, digest_official, 2)
    digests.send_digest(target_id=digest_official.pk)
    raw = str(postmark.messages)
    assert "@example.net" not in raw
    assert "K1A 0B1" not in raw


def test_running_the_digest_twice_sends_it_once(postmark, case, digest_official):
    write_letters(case, digest_official, 2)
    assert digests.send_due_digests() == 1
    assert digests.send_digest(target_id=digest_official.pk) == "sent"
    assert digests.send_digest(target_id=digest_official.pk) == "skipped"
    assert digests.send_due_digests() == 0
    assert len(postmark.messages) == 1


def test_letters_written_after_the_digest_wait_for_the_next_day(postmark, case, digest_official):
    write_letters(case, digest_official, 1)
    digests.send_digest(target_id=digest_official.pk)
    write_letters(case, digest_official, 1)

    assert digests.send_digest(target_id=digest_official.pk) == "skipped"
    tomorrow = digests.next_digest_at(timezone.now()) + datetime.timedelta(minutes=1)
    assert digests.due_digest_targets(now=tomorrow) == [digest_official.pk]
    assert digests.send_digest(target_id=digest_official.pk, now=tomorrow) == "sent"
    assert len(postmark.messages) == 2
    assert Delivery.objects.filter(status=Status.SENT).count() == 2


def test_each_digest_target_gets_its_own_email(postmark, case, digest_official):
    other = TargetFactory(name="Otra Oficina", email="otra@gob.example")
    DeliveryPolicy.objects.create(target=other, mode=DeliveryPolicy.Mode.DAILY_DIGEST)
    write_letters(case, digest_official, 2)
    write_letters(case, other, 1)
    for target_id in digests.due_digest_targets():
        digests.send_digest(target_id=target_id)
    recipients = sorted(m["To"].rpartition("<")[2] for m in postmark.messages)
    assert recipients == sorted([f"{digest_official.email}>", "otra@gob.example>"])


def test_a_transient_error_puts_the_letters_back_for_the_next_run(postmark, case, digest_official):
    write_letters(case, digest_official, 2)
    postmark.answer("500")
    assert digests.send_digest(target_id=digest_official.pk) == "retry"
    assert set(Delivery.objects.values_list("status", "attempts")) == {(Status.QUEUED, 1)}
    assert digests.send_digest(target_id=digest_official.pk) == "sent"
    assert Delivery.objects.filter(status=Status.SENT).count() == 2


def test_a_rejected_address_fails_every_letter_of_the_digest(
    postmark, case, digest_official, django_capture_on_commit_callbacks
):
    write_letters(case, digest_official, 2)
    postmark.answer("invalid")
    with django_capture_on_commit_callbacks() as callbacks:
        assert digests.send_digest(target_id=digest_official.pk) == "failed"
    assert set(Delivery.objects.values_list("status", "error_code")) == {
        (Status.FAILED, Delivery.ErrorCode.REJECTED_ADDRESS)
    }
    assert len(callbacks) == 2


def test_an_esp_timeout_after_acceptance_marks_the_digest_sent_and_uncertain(
    postmark, case, digest_official
):
    write_letters(case, digest_official, 2)
    postmark.answer("hang")
    assert digests.send_digest(target_id=digest_official.pk) == "uncertain"
    assert set(Delivery.objects.values_list("status", "is_uncertain")) == {(Status.SENT, True)}


def test_a_digest_lost_mid_send_goes_out_with_the_next_one(postmark, case, digest_official):
    write_letters(case, digest_official, 2)
    now = timezone.now()
    # A worker that died after the claim: rows stuck in sending until the lease runs out.
    assert len(digests._claim(target_id=digest_official.pk, now=now)) == 2
    later = now + datetime.timedelta(seconds=settings.PLUMA_DELIVERY_LEASE_SECONDS + 1)
    assert services.sweep_deliveries(now=later)["requeued"] == 2
    tomorrow = digests.next_digest_at(now) + datetime.timedelta(minutes=1)
    assert digests.send_digest(target_id=digest_official.pk, now=tomorrow) == "sent"
    assert Delivery.objects.filter(status=Status.SENT).count() == 2


def test_the_digest_beat_runs_hourly():
    entry = settings.CELERY_BEAT_SCHEDULE["send-digests"]
    assert entry == {"task": "letters.tasks.send_due_digests", "schedule": 3600.0}


def test_the_digest_hour_and_size_are_settings(postmark, case, digest_official, settings):
    settings.PLUMA_DIGEST_HOUR = 17
    settings.PLUMA_DIGEST_MAX_LETTERS = 2
    write_letters(case, digest_official, 3)

    assert digests.send_digest(target_id=digest_official.pk) == "sent"
    assert "2 letters" in postmark.messages[0]["Subject"]
    assert Delivery.objects.filter(status=Status.QUEUED).count() == 1
    later = timezone.localtime(digests.next_digest_at(timezone.now()))
    assert later.hour == 17
