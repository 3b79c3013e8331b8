"""The stop button's services (campaigns.holds): a hold on a case or an official stops every
queued, paced, digest and bundle letter and every pending announcement at once; resuming
sends them in order; closing a case holds the letters left for an organizer's choice."""

import pytest
from django.core import mail
from django.utils import timezone

from campaigns import announcements, holds, services
from campaigns import tasks as campaigns_tasks
from campaigns.models import Announcement, AnnouncementDelivery, UrgentAction
from letters import services as letters
from letters import tasks as letters_tasks
from letters.models import Delivery, DeliveryPolicy
from letters.services import bundles, digests
from tests.factories import (
    ActionTargetFactory,
    ConsentFactory,
    LetterFactory,
    TargetFactory,
    UrgentActionFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("letters_settings")]
Status = Delivery.Status


@pytest.fixture
def organizer():
    return UserFactory(username="ines")


@pytest.fixture
def enqueued(monkeypatch) -> list[list[int]]:
    """The ids of each deliver_many task the dispatch enqueues, kept here."""
    batches: list[list[int]] = []
    monkeypatch.setattr(letters_tasks.deliver_many, "delay", batches.append)
    return batches


@pytest.fixture
def announcement_batches(monkeypatch) -> list[list[int]]:
    batches: list[list[int]] = []
    monkeypatch.setattr(campaigns_tasks.send_announcements, "delay", batches.append)
    return batches


def never_paced(*targets) -> None:
    """Officials whose pace never binds, so a batch goes in one go."""
    for target in targets:
        DeliveryPolicy.objects.update_or_create(target=target, defaults={"max_per_hour": 10**8})


def queued(case, target, **letter) -> Delivery:
    written = LetterFactory(case=case, targets=[target], **letter)
    letters.queue_letter(letter=written)
    return written.deliveries.get()


def pending_announcement(case) -> AnnouncementDelivery:
    announcement = Announcement.objects.create(
        action=case,
        kind=Announcement.Kind.HANDOVER,
        reference=f"h{case.pk}",
        content={"en": {"subject": "Handed over", "body": "35,000 messages."}},
    )
    consent = ConsentFactory(action=case)
    return AnnouncementDelivery.objects.create(
        announcement=announcement, supporter=consent.supporter
    )


@pytest.fixture
def channels(case, official):
    """The case's officials: one by email (the fixture's), one by digest, one by post."""
    digest = TargetFactory(name="Digest office")
    DeliveryPolicy.objects.create(target=digest, mode=DeliveryPolicy.Mode.DAILY_DIGEST)
    post = TargetFactory(name="Post office", email="")
    DeliveryPolicy.objects.create(target=post, mode=DeliveryPolicy.Mode.PRINTED_BUNDLE)
    for target in (digest, post):
        ActionTargetFactory(action=case, target=target)
    never_paced(official)
    return {"email": official, "digest": digest, "post": post}


def test_holding_a_case_stops_its_letters_digests_bundles_and_announcements(
    case, channels, organizer, enqueued, announcement_batches
):
    rows = {name: queued(case, target) for name, target in channels.items()}
    announcement = pending_announcement(case)
    other_case = UrgentActionFactory()
    elsewhere = queued(other_case, channels["email"])

    assert holds.hold_case(action=case, by=organizer, reason="Wrong official")
    assert holds.hold_case(action=case, by=organizer) is False  # already held

    # The dispatch hands out only the other case's letter, to the same official.
    assert letters.dispatch_deliveries() == 1 and enqueued == [[elsewhere.pk]]
    assert digests.due_digest_targets() == []
    assert digests.send_digest(target_id=channels["digest"].pk) == "skipped"
    assert list(bundles.waiting_for_bundles()) == []
    assert bundles.prepare_bundle(target=channels["post"])[1] == 0
    assert announcements.dispatch_announcements() == 0 and announcement_batches == []
    assert announcements.send_announcement(delivery_id=announcement.pk) is False
    assert mail.outbox == []
    assert set(Delivery.objects.filter(letter__case=case).values_list("status", flat=True)) == {
        Status.QUEUED
    }
    assert AnnouncementDelivery.objects.get(pk=announcement.pk).status == "pending"
    assert holds.held_counts(action=case) == holds.Held(letters=3, announcements=1)
    case.refresh_from_db()
    assert (case.held_by, case.hold_reason) == (organizer, "Wrong official")
    assert rows  # every channel had its letter


def test_resuming_a_case_sends_what_it_held_at_once_and_in_order(
    case, channels, organizer, enqueued, announcement_batches, django_capture_on_commit_callbacks
):
    holds.hold_case(action=case, by=organizer)
    identical = queued(case, channels["email"], is_identical_to_sample=True)
    first, second = queued(case, channels["email"]), queued(case, channels["email"])
    announcement = pending_announcement(case)

    with django_capture_on_commit_callbacks() as callbacks:
        assert holds.resume_case(action=case, by=organizer)
    assert holds.resume_case(action=case, by=organizer) is False
    # A dispatch of letters and a hand-out of announcements are asked for on commit.
    assert letters.request_dispatch in callbacks
    assert len(callbacks) == 2

    assert letters.dispatch_deliveries() == 3
    assert enqueued == [[first.pk, second.pk, identical.pk]]  # own words first, then in turn
    assert letters.deliver_many(delivery_ids=enqueued[0]) == {"sent": 3}
    assert [m.metadata["delivery_id"] for m in mail.outbox] == [
        str(pk) for pk in (first.pk, second.pk, identical.pk)
    ]
    assert announcements.dispatch_announcements() == 1
    assert announcements.send_announcements(delivery_ids=announcement_batches[0]) == 1
    assert digests.due_digest_targets() == []  # nothing of the digest's was written
    assert AnnouncementDelivery.objects.get(pk=announcement.pk).status == "sent"


def test_a_letter_handed_out_the_instant_before_the_hold_is_not_claimed(
    case, official, organizer, enqueued
):
    row = queued(case, official)
    assert letters.dispatch_deliveries() == 1  # its task is on the broker…
    holds.hold_case(action=case, by=organizer)  # …when the organizer holds the case

    assert letters.deliver_many(delivery_ids=enqueued[0]) == {"skipped": 1}
    assert letters.deliver(delivery_id=row.pk) == "skipped"
    assert mail.outbox == [] and Delivery.objects.get(pk=row.pk).status == Status.QUEUED

    holds.resume_case(action=case, by=organizer)
    # Its earlier hand-out no longer counts as a task on its way.
    assert letters.dispatch_deliveries() == 1
    assert letters.deliver_many(delivery_ids=enqueued[1]) == {"sent": 1}
    assert len(mail.outbox) == 1


def test_an_announcement_handed_out_before_the_hold_is_not_sent(
    case, organizer, announcement_batches
):
    row = pending_announcement(case)
    assert announcements.dispatch_announcements() == 1
    holds.hold_case(action=case, by=organizer)

    assert announcements.send_announcements(delivery_ids=announcement_batches[0]) == 0
    assert mail.outbox == []

    holds.resume_case(action=case, by=organizer)
    assert announcements.dispatch_announcements() == 1  # handed out again at once
    assert announcements.send_announcements(delivery_ids=announcement_batches[1]) == 1
    assert AnnouncementDelivery.objects.get(pk=row.pk).status == "sent"


def test_holding_an_official_stops_its_letters_on_every_case(case, official, organizer, enqueued):
    other_case = UrgentActionFactory()
    ActionTargetFactory(action=other_case, target=official)
    someone_else = TargetFactory()
    never_paced(official, someone_else)
    held = [queued(case, official), queued(other_case, official)]
    free = queued(case, someone_else)

    assert holds.hold_official(target=official, by=organizer, reason="Left office")
    assert holds.hold_official(target=official, by=organizer) is False
    assert holds.held_counts(target=official) == holds.Held(letters=2)

    assert letters.dispatch_deliveries() == 1 and enqueued == [[free.pk]]
    assert letters.deliver_many(delivery_ids=[row.pk for row in held]) == {"skipped": 2}

    assert holds.resume_official(target=official, by=organizer)
    assert holds.resume_official(target=official, by=organizer) is False
    assert letters.dispatch_deliveries() == 2
    assert letters.deliver_many(delivery_ids=enqueued[1]) == {"sent": 2}


def test_an_official_resumed_keeps_the_letters_of_a_held_case_waiting(
    case, official, organizer, enqueued
):
    queued(case, official)
    holds.hold_official(target=official, by=organizer)
    holds.hold_case(action=case, by=organizer)
    holds.resume_official(target=official, by=organizer)
    assert letters.dispatch_deliveries() == 0
    holds.resume_case(action=case, by=organizer)
    assert letters.dispatch_deliveries() == 1


def test_closing_a_case_holds_the_letters_left_but_tells_its_news(
    case, channels, organizer, enqueued, announcement_batches, django_capture_on_commit_callbacks
):
    ConsentFactory(action=case)
    rows = [queued(case, target) for target in channels.values()]

    with django_capture_on_commit_callbacks(execute=True):
        assert services.close_action(action=case, outcome_kind="good_news", outcome="Released")

    case.refresh_from_db()
    assert case.letters_held_at == case.closed_at and not case.is_held
    assert letters.dispatch_deliveries() == 0
    assert letters.deliver(delivery_id=rows[0].pk) == "skipped"
    assert digests.due_digest_targets() == []
    assert bundles.prepare_bundle(target=channels["post"])[1] == 0
    assert holds.held_counts(action=case).letters == 3
    # The close is news of its own, and goes.
    news = Announcement.objects.get(action=case, kind=Announcement.Kind.CLOSED)
    assert announcements.fan_out_announcement(announcement_id=news.pk) == 1
    assert announcements.send_announcements(delivery_ids=announcement_batches[0]) == 1
    assert [m.subject for m in mail.outbox] == ["UA 58/20 is closed: Good news"]


def test_send_held_lets_a_closed_cases_letters_go(case, official, organizer, enqueued):
    row = queued(case, official)
    services.close_action(action=case, outcome_kind="deadline_passed")

    assert holds.send_held(action=case, by=organizer) == 1
    assert holds.send_held(action=case, by=organizer) is None  # nothing left to choose
    assert letters.dispatch_deliveries() == 1
    assert letters.deliver_many(delivery_ids=enqueued[0]) == {"sent": 1}
    assert Delivery.objects.get(pk=row.pk).status == Status.SENT


def test_send_held_on_a_case_also_held_waits_for_the_resume(case, official, organizer):
    queued(case, official)
    services.close_action(action=case, outcome_kind="deadline_passed")
    holds.hold_case(action=case, by=organizer)
    assert holds.send_held(action=case, by=organizer) == 1
    assert letters.dispatch_deliveries() == 0
    holds.resume_case(action=case, by=organizer)
    assert letters.dispatch_deliveries() == 1


def test_drop_held_cancels_a_closed_cases_letters_and_tells_no_one(case, channels, organizer):
    rows = [queued(case, target) for target in channels.values()]
    sent = queued(case, channels["email"])
    letters.deliver(delivery_id=sent.pk)
    mail.outbox.clear()
    services.close_action(action=case, outcome_kind="no_further_action")

    assert holds.drop_held(action=case, by=organizer, reason="Released") == 3
    assert holds.drop_held(action=case, by=organizer) is None

    statuses = dict(Delivery.objects.values_list("pk", "status"))
    assert [statuses[row.pk] for row in rows] == [Status.CANCELLED] * 3
    assert statuses[sent.pk] == Status.SENT  # what went, went
    assert letters.dispatch_deliveries() == 0
    assert digests.send_digest(target_id=channels["digest"].pk) == "skipped"
    assert mail.outbox == []  # no supporter is told, as for any cancellation
    case.refresh_from_db()
    assert case.letters_held_at is None


def test_send_and_drop_act_only_on_a_closed_case_with_letters_held(case, official, organizer):
    queued(case, official)
    assert holds.send_held(action=case, by=organizer) is None
    assert holds.drop_held(action=case, by=organizer) is None
    assert Delivery.objects.get().status == Status.QUEUED


def test_reopening_a_closed_case_lets_its_held_letters_go(case, official, enqueued):
    queued(case, official)
    services.close_action(action=case, outcome_kind="deadline_passed")
    assert letters.dispatch_deliveries() == 0
    services.reopen_action(action=case)
    case.refresh_from_db()
    assert case.letters_held_at is None
    assert letters.dispatch_deliveries() == 1


def test_an_edit_saved_meanwhile_keeps_the_hold(case, organizer):
    stale = UrgentAction.objects.get(pk=case.pk)  # the admin form's copy
    holds.hold_case(action=case, by=organizer, reason="Check the facts")
    stale.title = "A corrected title"
    services.save_action(action=stale, previous=UrgentAction.objects.get(pk=case.pk), by=organizer)
    case.refresh_from_db()
    assert case.title == "A corrected title"
    assert (case.held_by, case.hold_reason) == (organizer, "Check the facts")


def test_erasing_a_supporter_cancels_their_held_letters(case, official, organizer):
    row = queued(case, official)
    holds.hold_case(action=case, by=organizer)
    services.erase_supporter(supporter=row.letter.supporter)
    assert Delivery.objects.get(pk=row.pk).status == Status.CANCELLED
    holds.resume_case(action=case, by=organizer)
    assert letters.dispatch_deliveries() == 0


def test_a_hold_records_when(case, organizer):
    before = timezone.now()
    holds.hold_case(action=case, by=organizer)
    case.refresh_from_db()
    assert case.held_at >= before
