"""deliver_many: a batch of rows claimed, paced, sent and recorded by one task."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from letters import services, tasks
from letters.models import Delivery, DeliveryPolicy, Letter
from letters.services import sending
from tests.factories import LetterFactory, TargetFactory

pytestmark = pytest.mark.django_db
Status = Delivery.Status


def queued(letter) -> int:
    services.queue_letter(letter=letter)
    return letter.deliveries.get().pk


@pytest.fixture
def countdowns(monkeypatch) -> list[tuple[int, float]]:
    """The single-row deliver tasks put on a countdown, kept here instead of the broker."""
    waits: list[tuple[int, float]] = []
    monkeypatch.setattr(
        tasks.deliver, "apply_async", lambda args, countdown: waits.append((*args, countdown))
    )
    return waits


def test_a_batch_keeps_each_targets_pace(case, official, countdowns):
    DeliveryPolicy.objects.create(target=official, max_per_hour=2)
    other = TargetFactory()
    ids = [queued(LetterFactory(case=case, targets=[official])) for _ in range(3)]
    ids.append(queued(LetterFactory(case=case, targets=[other])))
    before = timezone.now()

    assert services.deliver_many(delivery_ids=ids) == {"sent": 2, "paced": 2}

    assert {m.to[0].rpartition("<")[2] for m in mail.outbox} == {
        f"{official.email}>",
        f"{other.email}>",
    }
    second, third = (Delivery.objects.get(pk=pk) for pk in ids[1:3])
    assert second.status == third.status == Status.QUEUED
    assert second.has_pace_slot and third.has_pace_slot
    gap = datetime.timedelta(minutes=30)
    assert before + gap <= second.next_attempt_at <= timezone.now() + gap
    assert third.next_attempt_at - second.next_attempt_at == gap
    # Both waits are past the countdown limit: the sweeper brings them round.
    assert countdowns == []
    assert DeliveryPolicy.objects.get(target=official).next_slot_at == third.next_attempt_at + gap


def test_a_batch_sets_aside_what_must_not_be_emailed(case, official):
    digest = TargetFactory()
    DeliveryPolicy.objects.create(target=digest, mode=DeliveryPolicy.Mode.DAILY_DIGEST)
    cancelled = LetterFactory(case=case, targets=[official])
    ids = [
        queued(cancelled),
        queued(LetterFactory(case=case, targets=[digest])),
        queued(LetterFactory(case=case, targets=[official])),
    ]
    Letter.objects.filter(pk=cancelled.pk).update(status=Letter.Status.CANCELLED)

    outcomes = services.deliver_many(delivery_ids=[*ids, ids[2], 999_999])

    assert outcomes == {"cancelled": 1, "held": 1, "sent": 1, "skipped": 2}
    assert list(Delivery.objects.order_by("pk").values_list("status", flat=True)) == [
        Status.CANCELLED,
        Status.QUEUED,
        Status.SENT,
    ]
    assert len(mail.outbox) == 1


def test_a_batch_out_of_time_hands_its_rest_back(case, official, monkeypatch, countdowns):
    DeliveryPolicy.objects.create(target=official, max_per_hour=100_000_000)
    paced = [queued(LetterFactory(case=case, targets=[official])) for _ in range(2)]
    monkeypatch.setattr(sending, "BATCH_SECONDS", -1)  # out of time before the first send
    rest = []
    monkeypatch.setattr(tasks.deliver_many, "delay", rest.append)

    assert services.deliver_many(delivery_ids=paced) == {"skipped": 2}

    assert mail.outbox == [] and rest == []
    # Each keeps the slot it reserved and goes when it comes, without reserving another.
    assert [pk for pk, _ in countdowns] == paced
    rows = Delivery.objects.filter(pk__in=paced)
    assert all(row.status == Status.QUEUED and row.has_pace_slot for row in rows)
    next_slot = DeliveryPolicy.objects.get(target=official).next_slot_at
    monkeypatch.setattr(sending, "BATCH_SECONDS", 60)
    assert services.deliver_many(delivery_ids=paced) == {"sent": 2}
    assert DeliveryPolicy.objects.get(target=official).next_slot_at == next_slot


def test_a_batch_out_of_time_enqueues_its_unpaced_rest_again(case, official, monkeypatch):
    ids = [queued(LetterFactory(case=case, targets=[official])) for _ in range(2)]
    Delivery.objects.filter(pk__in=ids).update(has_pace_slot=True)
    monkeypatch.setattr(sending, "BATCH_SECONDS", -1)
    rest = []
    monkeypatch.setattr(tasks.deliver_many, "delay", rest.append)

    assert services.deliver_many(delivery_ids=ids) == {"skipped": 2}

    assert rest == [ids]
    assert set(Delivery.objects.values_list("status", flat=True)) == {Status.QUEUED}
