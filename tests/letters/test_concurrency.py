"""Workers racing for the same rows, on the real database, against the ESP stub."""

import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from letters import services
from letters.models import Delivery, DeliveryPolicy, Letter, LetterToOfficial
from letters.services import composing
from tests.factories import LetterFactory, SupporterFactory, TargetFactory

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


def test_racing_confirmations_of_one_writers_letters_deliver_one_to_each_official(case):
    """Eight links of one supporter, each naming letters to the same two officials in
    either order, all pressed at once: each official gets one letter, nobody an error."""
    officials = TargetFactory.create_batch(2)
    supporter = SupporterFactory()
    tokens = []
    for n in range(8):
        ordered = officials if n % 2 else officials[::-1]
        letters = [LetterFactory(case=case, supporter=supporter, targets=[t]) for t in ordered]
        tokens.append(composing.make_token(letter.pk for letter in letters))
    start = threading.Barrier(len(tokens))

    def confirm(token: str) -> list[str]:
        try:
            start.wait()
            return [letter.status for letter in composing.confirm_letters(token=token)]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        answers = list(pool.map(confirm, tokens))

    # Every link was answered (no LinkUsed, no deadlock); two letters went, one each.
    assert all(len(statuses) == 2 for statuses in answers)
    assert sorted(Delivery.objects.values_list("target_id", flat=True)) == sorted(
        official.pk for official in officials
    )
    assert LetterToOfficial.objects.count() == 2
    statuses = list(Letter.objects.values_list("status", flat=True))
    assert statuses.count(Letter.Status.CONFIRMED) == 2
    assert statuses.count(Letter.Status.CANCELLED) == 14
