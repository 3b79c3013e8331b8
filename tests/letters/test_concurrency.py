"""Workers racing for the same rows, on the real database, against the ESP stub."""

import random
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from letters import services
from letters.models import Delivery, DeliveryPolicy
from tests.factories import LetterFactory, TargetFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_racing_workers_send_each_delivery_exactly_once(postmark, case):
    targets = TargetFactory.create_batch(5)
    for target in targets:
        DeliveryPolicy.objects.create(target=target, max_per_hour=100_000)
    letters = [LetterFactory(case=case, targets=targets) for _ in range(8)]
    for letter in letters:
        services.queue_letter(letter=letter)
    ids = list(Delivery.objects.values_list("pk", flat=True))

    def worker(seed: int) -> list[str]:
        order = ids * 2
        random.Random(seed).shuffle(order)
        try:
            return [services.deliver(delivery_id=pk) for pk in order]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = [o for batch in pool.map(worker, range(6)) for o in batch]

    # Pacing may send a row back for a moment; the sweeper's job is to bring it round.
    for _ in range(20):
        pending = Delivery.objects.exclude(status=Delivery.Status.SENT)
        if not pending.exists():
            break
        DeliveryPolicy.objects.update(next_slot_at=None)
        for pk in pending.values_list("pk", flat=True):
            Delivery.objects.filter(pk=pk).update(next_attempt_at=case.opened_at)
            services.deliver(delivery_id=pk)
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == len(ids)
    counts = postmark.metadata_counts()
    assert sorted(counts) == sorted(str(pk) for pk in ids)
    assert set(counts.values()) == {1}
    assert outcomes.count("sent") <= len(ids)
