"""Invalidating a source's sign-ups and letters on a case, and reversing it
(actions.services.sources over petitions' and letters' invalidation services)."""

import datetime
import itertools
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from actions import impact, services
from campaigns.defences import Flag
from campaigns.models import Invalidation, SourceKind
from letters import services as letters
from letters import tasks as letter_tasks
from letters.models import Delivery, DeliveryPolicy, Letter
from letters.services import digests
from petitions import counts, tokens
from petitions import services as petitions
from petitions.models import Signature
from tests.factories import (
    ConfirmedSignatureFactory,
    LetterFactory,
    SignatureFactory,
    SupporterFactory,
    UrgentActionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BOTNET = "203.0.113.0/24"
HOME = "198.51.100.0/24"
_serial = itertools.count()


@pytest.fixture
def organizer():
    return UserFactory(username="ines")


@pytest.fixture
def enqueued(monkeypatch) -> list[list[int]]:
    batches: list[list[int]] = []
    monkeypatch.setattr(letter_tasks.deliver_many, "delay", batches.append)
    return batches


def signature(action, *, network=BOTNET, domain="bots.example", confirmed=True, **fields):
    factory = ConfirmedSignatureFactory if confirmed else SignatureFactory
    return factory(
        action=action,
        supporter=SupporterFactory(email=f"s{next(_serial)}@{domain}"),
        network=network,
        email_domain=domain,
        **fields,
    )


def queued_letter(case, official, *, network=BOTNET, domain="bots.example", **fields):
    letter = LetterFactory(
        case=case, targets=[official], network=network, email_domain=domain, **fields
    )
    letters.queue_letter(letter=letter)
    return letter


def count(action) -> int:
    counts.forget(action.pk)
    return counts.confirmed_count(action.pk)


def invalidate(case, organizer, **criteria):
    arguments = {
        "kind": SourceKind.NETWORK,
        "source": BOTNET,
        "reason": "A script signed from one hosting network.",
        **criteria,
    }
    return services.invalidate_source(action=case, by=organizer, **arguments)


@pytest.fixture
def mixed(case, official):
    """On the case: four sign-ups from the botnet (three confirmed, one pending), one
    flagged by the honeypot there, two from elsewhere; two letters from the botnet, one
    of them already delivered, and one from elsewhere."""
    for _ in range(3):
        signature(case)
    signature(case, confirmed=False)
    signature(case, is_flagged=True, flag_reason=Flag.HONEYPOT)
    signature(case, network=HOME, domain="example.net")
    signature(case, network=HOME, domain="example.org")
    counts.reconcile(action_id=case.pk)
    waiting = queued_letter(case, official)
    delivered = queued_letter(case, official)
    delivered.deliveries.update(status=Delivery.Status.DELIVERED, delivered_at=timezone.now())
    queued_letter(case, official, network=HOME, domain="example.net")
    return {"waiting": waiting, "delivered": delivered}


def test_invalidating_moves_the_counts_at_once_and_logs_what_and_why(
    case, official, organizer, mixed, django_capture_on_commit_callbacks
):
    assert count(case) == 5
    assert impact.letters_delivered(case.pk) == 1  # and now it is cached

    with django_capture_on_commit_callbacks(execute=True):
        invalidation = invalidate(case, organizer)

    assert (invalidation.signatures, invalidation.confirmed_signatures) == (4, 3)
    assert (invalidation.letters, invalidation.letters_sent) == (2, 1)
    assert (invalidation.kind, invalidation.source) == ("network", BOTNET)
    assert invalidation.reason == "A script signed from one hosting network."
    assert invalidation.invalidated_by == organizer and invalidation.invalidated_at
    assert invalidation.status == Invalidation.Status.INVALIDATED
    # The case's count and the impact move at once, however long they are cached.
    assert counts.confirmed_count(case.pk) == 2
    assert impact.letters_delivered(case.pk) == 0
    assert counts.reconcile(action_id=case.pk) == (2, 2)
    flagged = Signature.objects.filter(invalidation=invalidation)
    assert flagged.count() == 4
    assert set(flagged.values_list("is_flagged", "flag_reason")) == {(True, "invalidated")}
    # The honeypot's row keeps its own reason; other sources are untouched.
    assert Signature.objects.get(flag_reason=Flag.HONEYPOT).invalidation is None
    assert not Signature.objects.filter(network=HOME, is_flagged=True).exists()
    assert set(Letter.objects.filter(invalidation=invalidation)) == set(mixed.values())


def test_an_invalidated_letter_not_yet_sent_never_goes(case, official, organizer, mixed, enqueued):
    invalidate(case, organizer)
    waiting = mixed["waiting"].deliveries.get()

    # Neither the dispatch, nor the sweeper, nor a worker given its id sends it.
    letters.dispatch_deliveries()
    assert waiting.pk not in [pk for batch in enqueued for pk in batch]
    letters.sweep_deliveries()
    assert letters.deliver_many(delivery_ids=[waiting.pk]) == {"skipped": 1}
    waiting.refresh_from_db()
    assert waiting.status == Delivery.Status.QUEUED
    assert mail.outbox == []
    # The already delivered one is only marked.
    assert mixed["delivered"].deliveries.get().status == Delivery.Status.DELIVERED
    # The hold's counts leave it out: it waits for no resume.
    assert letters.holds.HeldLetters().count(action_id=case.pk) == 1


def test_a_digest_leaves_an_invalidated_letter_out(case, official, organizer):
    DeliveryPolicy.objects.create(target=official, mode=DeliveryPolicy.Mode.DAILY_DIGEST)
    bad, good = queued_letter(case, official), queued_letter(case, official, network=HOME)
    invalidate(case, organizer)

    assert digests.send_digest(target_id=official.pk) == "sent"

    (message,) = mail.outbox
    assert message.metadata["letters"] == "1"
    assert bad.deliveries.get().status == Delivery.Status.QUEUED
    assert good.deliveries.get().status == Delivery.Status.SENT


def test_a_batch_under_way_drops_a_letter_invalidated_while_it_sends(
    case, official, organizer, monkeypatch
):
    from letters.services import sending

    DeliveryPolicy.objects.create(target=official, max_per_hour=10**8)
    ids = [queued_letter(case, official).deliveries.get().pk for _ in range(3)]
    monkeypatch.setattr(sending, "HOLD_RECHECK", datetime.timedelta(0))
    send = sending._send

    def send_then_invalidate(*, delivery):
        outcome = send(delivery=delivery)
        if len(mail.outbox) == 1:
            invalidate(case, organizer)  # pressed during the first send
        return outcome

    monkeypatch.setattr(sending, "_send", send_then_invalidate)

    assert letters.deliver_many(delivery_ids=ids) == {"sent": 1, "held": 2}
    assert len(mail.outbox) == 1
    statuses = Delivery.objects.filter(pk__in=ids).values_list("status", flat=True)
    assert sorted(statuses) == ["queued", "queued", "sent"]
    assert Invalidation.objects.get().letters_sent == 1


def test_reversing_restores_exactly_the_rows_it_invalidated(
    case, official, organizer, mixed, enqueued, django_capture_on_commit_callbacks
):
    invalidation = invalidate(case, organizer)
    # Meanwhile: another invalidation, of a domain, and a new sign-up from the botnet.
    other = invalidate(case, organizer, kind=SourceKind.DOMAIN, source="example.org")
    assert other.signatures == 1
    later = signature(case)
    counts.add_confirmed(action_id=case.pk)
    assert count(case) == 2

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert services.reverse_invalidation(invalidation=invalidation, by=organizer)

    invalidation.refresh_from_db()
    assert invalidation.status == Invalidation.Status.REVERSED
    assert invalidation.reversed_by == organizer and invalidation.reversed_at
    assert count(case) == 5  # 3 confirmed back; example.org's stays out
    assert impact.letters_delivered(case.pk) == 1
    assert counts.reconcile(action_id=case.pk) == (5, 5)
    assert (
        not Signature.objects.filter(network=BOTNET, is_flagged=True)
        .exclude(flag_reason=Flag.HONEYPOT)
        .exists()
    )
    assert Signature.objects.get(flag_reason=Flag.HONEYPOT).is_flagged
    assert Signature.objects.get(email_domain="example.org").invalidation == other
    assert Signature.objects.get(pk=later.pk).invalidation is None
    assert not Letter.objects.filter(invalidation__isnull=False).exists()
    # The letter that was waiting goes now: a dispatch is asked for, and hands it out.
    assert letters.request_dispatch in callbacks
    letters.DISPATCH.forget()
    letters.dispatch_deliveries()
    assert mixed["waiting"].deliveries.get().pk in enqueued[-1]

    # Twice changes nothing.
    assert not services.reverse_invalidation(invalidation=invalidation, by=organizer)
    assert count(case) == 5


def test_invalidating_twice_changes_nothing_the_second_time(case, official, organizer, mixed):
    assert invalidate(case, organizer) is not None
    assert invalidate(case, organizer) is None  # nothing left: nothing recorded
    assert Invalidation.objects.count() == 1
    assert count(case) == 2


def test_a_time_range_invalidates_only_what_was_written_in_it(case, official, organizer):
    now = timezone.now()
    early, inside, late = (signature(case) for _ in range(3))
    for row, minutes in ((early, -120), (inside, -30), (late, 0)):
        Signature.objects.filter(pk=row.pk).update(
            signed_at=now + datetime.timedelta(minutes=minutes)
        )
    letter = queued_letter(case, official, created_at=now - datetime.timedelta(minutes=20))
    counts.reconcile(action_id=case.pk)

    invalidation = invalidate(
        case,
        organizer,
        since=now - datetime.timedelta(hours=1),
        until=now - datetime.timedelta(minutes=10),
    )

    assert list(Signature.objects.filter(is_flagged=True)) == [inside]
    assert Letter.objects.get(pk=letter.pk).invalidation == invalidation
    assert count(case) == 2


def test_a_pending_signature_invalidated_and_then_confirmed_is_not_counted(case, organizer):
    pending = signature(case, confirmed=False)
    invalidate(case, organizer)
    petitions.confirm_signature(
        token=tokens.make_token(signature_id=pending.pk, nonce=pending.nonce)
    )
    assert count(case) == 0
    services.reverse_invalidation(invalidation=Invalidation.objects.get(), by=organizer)
    assert count(case) == 1
    assert counts.reconcile(action_id=case.pk) == (1, 1)


def test_another_case_and_the_other_kind_of_source_are_left_alone(case, organizer):
    other = UrgentActionFactory()
    signature(other)
    signature(case, network=HOME, domain="bots.example")
    invalidation = invalidate(case, organizer)
    assert invalidation is None
    invalidation = invalidate(case, organizer, kind=SourceKind.DOMAIN, source="bots.example")
    assert invalidation.signatures == 1
    assert not Signature.objects.filter(action=other, is_flagged=True).exists()


# --- on the real database: races ---------------------------------------------------------


def _in_thread(fn):
    def run(*args):
        try:
            return fn(*args)
        finally:
            connection.close()

    return run


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(5))
def test_confirmations_racing_an_invalidation_and_its_reversal_keep_the_count_exact(attempt):
    case = UrgentActionFactory()
    organizer = UserFactory()
    pending = [signature(case, confirmed=False) for _ in range(60)]
    for _ in range(20):
        signature(case)
    signature(case, network=HOME)
    counts.reconcile(action_id=case.pk)
    links = [tokens.make_token(signature_id=row.pk, nonce=row.nonce) for row in pending]
    barrier = threading.Barrier(5)

    @_in_thread
    def confirm(part: int):
        barrier.wait()
        for token in links[part::4]:
            petitions.confirm_signature(token=token)

    @_in_thread
    def invalidate_then_reverse(_):
        barrier.wait()
        invalidation = invalidate(case, organizer)
        services.reverse_invalidation(invalidation=invalidation, by=organizer)
        return invalidate(case, organizer)

    with ThreadPoolExecutor(max_workers=5) as pool:
        confirming = [pool.submit(confirm, part) for part in range(4)]
        second = pool.submit(invalidate_then_reverse, 0)
        for future in confirming:
            future.result()
        last = second.result()

    assert Signature.objects.filter(action=case, status="confirmed").count() == 81
    # The count is what the table says, whichever way each race went.
    expected = Signature.objects.filter(action=case, status="confirmed", is_flagged=False).count()
    assert expected == 1  # the second invalidation took every botnet signature
    assert count(case) == expected
    assert last.signatures == 80


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_organizers_invalidating_and_reversing_at_once_act_once():
    case = UrgentActionFactory()
    ines, omar = UserFactory(), UserFactory()
    for _ in range(30):
        signature(case)
    counts.reconcile(action_id=case.pk)
    barrier = threading.Barrier(2)

    @_in_thread
    def press(user):
        barrier.wait()
        return invalidate(case, user)

    with ThreadPoolExecutor(max_workers=2) as pool:
        made = [result for result in pool.map(press, [ines, omar]) if result is not None]

    (invalidation,) = made  # the other found nothing left and recorded nothing
    assert invalidation.signatures == 30
    assert Invalidation.objects.count() == 1
    assert count(case) == 0

    @_in_thread
    def reverse(user):
        barrier.wait()
        return services.reverse_invalidation(invalidation=invalidation, by=user)

    with ThreadPoolExecutor(max_workers=2) as pool:
        assert sorted(pool.map(reverse, [ines, omar])) == [False, True]
    assert count(case) == 30
    assert counts.reconcile(action_id=case.pk) == (30, 30)


def test_the_owner_of_an_invalidated_signature_cannot_undo_it_by_asking_again(
    case, organizer, django_capture_on_commit_callbacks, eager
):
    """Unlike a sign-up the defences flagged, an invalidated one is not removed nor its
    owner told how to sign again: a new link or a second sign-up leaves it as it is, and
    only a reversal counts it."""
    from tests.forms import answer_email_requests

    pending = signature(case, confirmed=False)
    invalidate(case, organizer)
    email = pending.supporter.email
    petitions.resend_confirmation(action=case, email=email)
    with django_capture_on_commit_callbacks(execute=True):
        answer_email_requests()
    petitions.forget_uncounted(action=case, email=email)
    kept = Signature.objects.get(pk=pending.pk)
    assert kept.is_flagged and kept.invalidation is not None
    assert not [m for m in mail.outbox if "could not count" in m.subject]
    assert [m.to for m in mail.outbox] == [[email]]  # a link: confirming it counts nothing
