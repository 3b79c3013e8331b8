"""Letters under a hold (letters.services.holds and the claims that read it): a batch or a
digest that was already claimed stops at a hold placed meanwhile, and a resume plans the
pace afresh, in order, without adding the length of the hold to the wait."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from campaigns import holds
from letters import services, tasks
from letters.models import Delivery, DeliveryPolicy
from letters.services import digests, sending
from tests.factories import LetterFactory, UrgentActionFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = Delivery.Status


@pytest.fixture
def organizer():
    return UserFactory(username="ines")


@pytest.fixture
def enqueued(monkeypatch) -> list[list[int]]:
    batches: list[list[int]] = []
    monkeypatch.setattr(tasks.deliver_many, "delay", batches.append)
    return batches


def queued(case, target) -> Delivery:
    letter = LetterFactory(case=case, targets=[target])
    services.queue_letter(letter=letter)
    return letter.deliveries.get()


def test_a_batch_stops_at_a_hold_placed_while_it_sends(case, official, organizer, monkeypatch):
    DeliveryPolicy.objects.create(target=official, max_per_hour=10**8)
    ids = [queued(case, official).pk for _ in range(3)]
    monkeypatch.setattr(sending, "HOLD_RECHECK", datetime.timedelta(0))  # look before each
    send = sending._send

    def send_then_hold(*, delivery):
        outcome = send(delivery=delivery)
        holds.hold_case(action=case, by=organizer)  # pressed during the first send
        return outcome

    monkeypatch.setattr(sending, "_send", send_then_hold)

    assert services.deliver_many(delivery_ids=ids) == {"sent": 1, "held": 2}

    assert len(mail.outbox) == 1
    rest = Delivery.objects.filter(pk__in=ids[1:])
    assert [row.status for row in rest] == [Status.QUEUED] * 2
    assert all(row.lease_expires_at is None and row.enqueued_at is None for row in rest)


def test_a_digest_claimed_just_before_a_hold_puts_its_letters_back(
    case, official, organizer, monkeypatch
):
    DeliveryPolicy.objects.create(target=official, mode=DeliveryPolicy.Mode.DAILY_DIGEST)
    other_case = UrgentActionFactory()
    held, free = queued(case, official), queued(other_case, official)
    claim = digests._claim

    def claim_then_hold(**kwargs):
        ids = claim(**kwargs)
        holds.hold_case(action=case, by=organizer)
        return ids

    monkeypatch.setattr(digests, "_claim", claim_then_hold)

    assert digests.send_digest(target_id=official.pk) == "sent"

    (message,) = mail.outbox
    assert message.metadata["letters"] == "1"
    assert Delivery.objects.get(pk=held.pk).status == Status.QUEUED
    assert Delivery.objects.get(pk=free.pk).status == Status.SENT


def test_a_resume_plans_the_pace_afresh_in_order_and_the_hold_adds_no_wait(
    case, official, organizer, enqueued
):
    DeliveryPolicy.objects.create(target=official, max_per_hour=2)  # one every 30 minutes
    ids = [queued(case, official).pk for _ in range(3)]
    assert services.deliver_many(delivery_ids=ids) == {"sent": 1, "paced": 2}
    gap = datetime.timedelta(minutes=30)
    frontier = DeliveryPolicy.objects.get(target=official).next_slot_at
    sent_at = Delivery.objects.get(pk=ids[0]).sent_at

    holds.hold_case(action=case, by=organizer)
    holds.resume_case(action=case, by=organizer)

    # The two paced letters gave their slots back, and the pace takes them again in turn.
    rows = Delivery.objects.filter(pk__in=ids[1:]).order_by("pk")
    assert all(not row.has_pace_slot and row.next_attempt_at <= timezone.now() for row in rows)
    # …from just after the letter that went, not after the slots they gave up.
    assert DeliveryPolicy.objects.get(target=official).next_slot_at == sent_at + gap
    assert sent_at + gap < frontier - gap
    assert services.dispatch_deliveries() == 2
    assert enqueued == [ids[1:]]
    assert services.deliver_many(delivery_ids=ids[1:]) == {"paced": 2}
    slots = list(
        Delivery.objects.filter(pk__in=ids[1:])
        .order_by("pk")
        .values_list("next_attempt_at", flat=True)
    )
    assert slots == [sent_at + gap, sent_at + 2 * gap]


def test_the_pace_is_not_given_back_while_a_letter_to_the_official_is_in_flight(
    case, official, organizer
):
    DeliveryPolicy.objects.create(target=official, max_per_hour=2)
    ids = [queued(case, official).pk for _ in range(2)]
    services.deliver_many(delivery_ids=ids)
    before = DeliveryPolicy.objects.get(target=official).next_slot_at
    other = queued(UrgentActionFactory(), official)
    Delivery.objects.filter(pk=other.pk).update(status=Status.SENDING)  # a batch is on it

    holds.hold_case(action=case, by=organizer)
    holds.resume_case(action=case, by=organizer)

    # That batch may hold a slot it has not written down: the pace keeps every slot.
    assert DeliveryPolicy.objects.get(target=official).next_slot_at == before


def test_the_held_count_is_one_query(case, official, organizer, django_assert_num_queries):
    queued(case, official)
    with django_assert_num_queries(2):
        assert holds.held_counts(action=case) == holds.Held(letters=1, announcements=0)
    with django_assert_num_queries(1):
        assert holds.held_counts(target=official) == holds.Held(letters=1)
