import datetime
import importlib

import pytest
import requests
from anymail.exceptions import AnymailRecipientsRefused, AnymailRequestsAPIError
from django.apps import apps as django_apps
from django.core import mail
from django.core.mail.backends import locmem
from django.utils import timezone

from campaigns import events
from letters import services, tasks
from letters.models import Delivery, DeliveryPolicy, Letter, LetterToOfficial
from letters.services import Outcome
from tests.factories import LetterFactory, TargetFactory

pytestmark = pytest.mark.django_db
Status = Delivery.Status


class FailingBackend(locmem.EmailBackend):
    """The test outbox, raising whatever the test put in `error` while it is set."""

    error: BaseException | None = None

    def send_messages(self, messages):
        if FailingBackend.error is not None:
            raise FailingBackend.error
        return super().send_messages(messages)


@pytest.fixture
def failing(settings):
    settings.EMAIL_BACKEND = "tests.letters.test_services.FailingBackend"
    yield FailingBackend
    FailingBackend.error = None


def api_error(status: int) -> AnymailRequestsAPIError:
    response = requests.Response()
    response.status_code, response._content = status, b'{"Message": "no"}'
    return AnymailRequestsAPIError("Postmark said no", response=response)


def network_error(cls: type[requests.RequestException], reason=None) -> Exception:
    """What anymail raises for a requests exception: both kinds at once."""
    cause = cls(reason) if reason else cls("timed out")
    wrapper = type("AnymailRequestsAPIError", (AnymailRequestsAPIError, cls), {})
    try:
        raise wrapper("Error posting") from cause
    except wrapper as exc:
        return exc


def deliver_failing(delivery, capture) -> Outcome:
    """Deliver, check the supporter's notice is enqueued, and run it as the worker would."""
    with capture() as callbacks:
        outcome = services.deliver(delivery_id=delivery.pk)
    assert len(callbacks) == 1
    FailingBackend.error = None
    services.tell_supporter_of_failure(delivery_id=delivery.pk)
    return outcome


def queued(letter) -> Delivery:
    services.queue_letter(letter=letter)
    return letter.deliveries.get()


# --- queue_letter ----------------------------------------------------------------------


def test_queueing_a_letter_confirms_it_and_writes_one_delivery_per_target(
    letter, official, django_capture_on_commit_callbacks
):
    copy = TargetFactory()
    letter.targets.add(copy)
    with django_capture_on_commit_callbacks() as callbacks:
        deliveries = services.queue_letter(letter=letter)
    letter.refresh_from_db()
    assert letter.status == Letter.Status.CONFIRMED and letter.confirmed_at
    assert {d.target for d in deliveries} == {official, copy}
    assert all(d.status == Status.QUEUED for d in deliveries)
    # One request for a dispatch, which hands both rows to a worker.
    assert callbacks == [services.request_dispatch]
    assert all(d.enqueued_at is None for d in deliveries)


def test_queueing_a_letter_twice_changes_nothing(letter, django_capture_on_commit_callbacks):
    services.queue_letter(letter=letter)
    with django_capture_on_commit_callbacks() as callbacks:
        again = services.queue_letter(letter=letter)
    assert len(again) == 1 and Delivery.objects.count() == 1
    assert callbacks == []


def test_a_target_taking_a_printed_bundle_is_queued_but_not_enqueued(
    letter, official, django_capture_on_commit_callbacks
):
    DeliveryPolicy.objects.create(target=official, mode=DeliveryPolicy.Mode.PRINTED_BUNDLE)
    with django_capture_on_commit_callbacks() as callbacks:
        services.queue_letter(letter=letter)
    assert callbacks == []
    delivery = letter.deliveries.get()
    assert services.deliver(delivery_id=delivery.pk) == Outcome.HELD
    assert Delivery.objects.get(pk=delivery.pk).status == Status.QUEUED


def test_one_supporter_gets_one_letter_to_an_official_on_a_case(
    case, official, django_capture_on_commit_callbacks
):
    first = LetterFactory(case=case, targets=[official])
    services.queue_letter(letter=first)
    again = LetterFactory(case=case, supporter=first.supporter, targets=[official])
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.queue_letter(letter=again) == []
    assert callbacks == []
    again.refresh_from_db()
    assert (again.status, again.confirmed_at) == (Letter.Status.CANCELLED, None)
    assert again.cancelled_at is not None
    assert list(Delivery.objects.values_list("letter_id", "target_id")) == [(first.pk, official.pk)]
    assert LetterToOfficial.objects.get().letter == first


def test_a_letter_goes_only_to_the_officials_its_writer_had_not_written_to(case, official):
    copy = TargetFactory()
    first = LetterFactory(case=case, targets=[official])
    services.queue_letter(letter=first)
    both = LetterFactory(case=case, supporter=first.supporter, targets=[official, copy])
    [delivery] = services.queue_letter(letter=both)
    assert delivery.target == copy
    both.refresh_from_db()
    assert both.status == Letter.Status.CONFIRMED


def test_others_and_other_cases_still_write_to_the_same_official(case, official):
    first = LetterFactory(case=case, targets=[official])
    services.queue_letter(letter=first)
    someone_else = LetterFactory(case=case, targets=[official])
    another_case = LetterFactory(supporter=first.supporter, targets=[official])
    assert len(services.queue_letter(letter=someone_else)) == 1
    assert len(services.queue_letter(letter=another_case)) == 1
    assert Delivery.objects.filter(target=official).count() == 3


def test_a_follow_up_to_the_same_official_is_the_one_second_letter(case, official):
    first = LetterFactory(case=case, targets=[official])
    services.queue_letter(letter=first)
    follow_up = LetterFactory(case=case, supporter=first.supporter, targets=[official])
    assert len(services.queue_letter(letter=follow_up, once_per_official=False)) == 1
    assert Delivery.objects.filter(target=official).count() == 2


def test_the_letters_sent_before_count_once_per_official_in_the_order_confirmed(case, official):
    """letters 0011 records, for the letters confirmed before it, the first letter each
    supporter had delivered to each official."""
    migration = importlib.import_module("letters.migrations.0012_one_letter_per_official")
    first = LetterFactory(case=case, targets=[official])
    services.queue_letter(letter=first, once_per_official=False)
    second = LetterFactory(case=case, supporter=first.supporter, targets=[official])
    services.queue_letter(letter=second, once_per_official=False)
    other = LetterFactory(case=case, targets=[official])
    services.queue_letter(letter=other, once_per_official=False)
    LetterToOfficial.objects.all().delete()

    migration.record_letters_already_sent(django_apps, None)
    migration.record_letters_already_sent(django_apps, None)  # again: nothing twice

    assert sorted(LetterToOfficial.objects.values_list("letter_id", flat=True)) == sorted(
        [first.pk, other.pk]
    )
    third = LetterFactory(case=case, supporter=first.supporter, targets=[official])
    assert services.queue_letter(letter=third) == []


def test_identical_letters_get_a_lower_priority(case, official):
    identical = LetterFactory(case=case, targets=[official], is_identical_to_sample=True)
    personal = LetterFactory(case=case, targets=[official], personal_share=80)
    assert queued(identical).priority < queued(personal).priority


# --- dispatch --------------------------------------------------------------------------


@pytest.fixture
def enqueued(monkeypatch) -> list[list[int]]:
    """The ids of each deliver_many task enqueued, kept here instead of the broker."""
    batches: list[list[int]] = []
    monkeypatch.setattr(tasks.deliver_many, "delay", batches.append)
    return batches


def test_a_burst_of_confirmations_is_delivered_in_batches(
    case, official, enqueued, django_assert_num_queries
):
    DeliveryPolicy.objects.create(target=official, max_per_hour=100_000_000)  # never binds
    identical = [
        queued(LetterFactory(case=case, targets=[official], is_identical_to_sample=True)).pk
        for _ in range(5)
    ]
    personal = [queued(LetterFactory(case=case, targets=[official])).pk for _ in range(40)]

    assert services.dispatch_deliveries() == 45
    assert [len(batch) for batch in enqueued] == [20, 20, 5]
    assert set(enqueued[2]) == set(identical)  # own words first
    assert sorted(enqueued[0] + enqueued[1]) == sorted(personal)
    # A batch costs its claim, its read and its pace reservation, then one statement a letter
    # (a running worker knows which events anyone wants: campaigns.events, a warm cache).
    events.is_wanted(events.Kind.LETTER_SENT)
    with django_assert_num_queries(2 + 4 + 20):
        assert services.deliver_many(delivery_ids=enqueued[0]) == {"sent": 20}
    for batch in enqueued[1:]:
        services.deliver_many(delivery_ids=batch)
    assert Delivery.objects.filter(status=Status.SENT).count() == len(mail.outbox) == 45
    assert services.dispatch_deliveries() == 0


@pytest.fixture
def own_cache(settings):
    """A cache of this test's own: the dispatch mark must not come from another test."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"},
    }


def a_second_passes(monkeypatch) -> None:
    services.DISPATCH.forget()


def test_a_burst_of_confirmations_asks_for_one_dispatch_a_second(own_cache, monkeypatch):
    requests = []
    monkeypatch.setattr(tasks.dispatch_deliveries, "apply_async", lambda **kw: requests.append(kw))
    a_second_passes(monkeypatch)
    for _ in range(3):
        services.request_dispatch()
    # Due after the mark expires, so it sees the rows of the requests the mark turned away.
    assert requests == [{"countdown": services.DISPATCH.seconds + 0.25}]
    # Another process finds the mark standing and leaves the dispatch to the first.
    monkeypatch.setattr(services.DISPATCH, "requested_until", 0.0)
    services.request_dispatch()
    assert len(requests) == 1
    a_second_passes(monkeypatch)
    services.request_dispatch()
    assert len(requests) == 2


def test_a_letter_is_queued_even_when_no_dispatch_can_be_requested(
    letter, own_cache, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(**kwargs):
        raise ConnectionError("broker down")

    a_second_passes(monkeypatch)
    monkeypatch.setattr(tasks.dispatch_deliveries, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        services.queue_letter(letter=letter)
    # The sweeper's next run finds the row.
    assert services.sweep_deliveries()["enqueued"] == 1


# --- deliver ---------------------------------------------------------------------------


def test_a_delivery_is_sent_once_and_recorded(letter):
    delivery = queued(letter)
    assert services.deliver(delivery_id=delivery.pk) == Outcome.SENT
    assert services.deliver(delivery_id=delivery.pk) == Outcome.SKIPPED
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and delivery.sent_at and delivery.attempts == 1
    assert delivery.message_id and delivery.lease_expires_at is None
    assert len(mail.outbox) == 1


def test_a_delivery_not_yet_due_is_left_alone(letter):
    delivery = queued(letter)
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() + datetime.timedelta(minutes=5)
    )
    assert services.deliver(delivery_id=delivery.pk) == Outcome.SKIPPED
    assert mail.outbox == []


def test_a_delivery_of_a_cancelled_letter_is_cancelled(letter):
    delivery = queued(letter)
    Letter.objects.filter(pk=letter.pk).update(status=Letter.Status.CANCELLED)
    assert services.deliver(delivery_id=delivery.pk) == Outcome.CANCELLED
    assert Delivery.objects.get(pk=delivery.pk).status == Status.CANCELLED
    assert mail.outbox == []


def test_a_target_without_email_fails_and_the_supporter_is_told(
    letter, official, django_capture_on_commit_callbacks
):
    DeliveryPolicy.objects.create(target=official, mode=DeliveryPolicy.Mode.INDIVIDUAL)
    official.email = ""
    official.save()
    delivery = queued(letter)
    outcome = deliver_failing(delivery, django_capture_on_commit_callbacks)
    assert outcome == Outcome.FAILED
    delivery.refresh_from_db()
    assert delivery.error_code == Delivery.ErrorCode.NO_EMAIL
    assert mail.outbox[0].to == [letter.supporter.email]


# --- pacing ----------------------------------------------------------------------------


def test_a_target_gets_its_letters_spread_over_the_hour(case, official):
    DeliveryPolicy.objects.create(target=official, max_per_hour=2)
    deliveries = [queued(LetterFactory(case=case, targets=[official])) for _ in range(3)]
    before = timezone.now()
    outcomes = [services.deliver(delivery_id=d.pk) for d in deliveries]
    assert outcomes == [Outcome.SENT, Outcome.PACED, Outcome.PACED]
    assert len(mail.outbox) == 1
    second, third = (Delivery.objects.get(pk=d.pk) for d in deliveries[1:])
    assert second.status == third.status == Status.QUEUED
    assert second.has_pace_slot and third.has_pace_slot
    gap = datetime.timedelta(minutes=30)
    assert before + gap <= second.next_attempt_at <= timezone.now() + gap
    assert third.next_attempt_at - second.next_attempt_at == gap


def test_a_paced_delivery_goes_when_its_slot_comes(case, official):
    DeliveryPolicy.objects.create(target=official, max_per_hour=1)
    first, second = (queued(LetterFactory(case=case, targets=[official])) for _ in range(2))
    services.deliver(delivery_id=first.pk)
    assert services.deliver(delivery_id=second.pk) == Outcome.PACED
    # The slot has come: the row holds it and must not queue behind itself.
    Delivery.objects.filter(pk=second.pk).update(next_attempt_at=timezone.now())
    assert services.deliver(delivery_id=second.pk) == Outcome.SENT
    assert len(mail.outbox) == 2


# --- sorting errors --------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_a_rate_limit_or_server_error_retries_later_with_backoff(letter, failing, status):
    failing.error = api_error(status)
    delivery = queued(letter)
    assert services.deliver(delivery_id=delivery.pk) == Outcome.RETRY
    delivery.refresh_from_db()
    assert delivery.status == Status.QUEUED and delivery.attempts == 1
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert 40 < wait < 75
    assert str(status) in delivery.error


def test_backoff_doubles_with_each_attempt(letter, failing):
    failing.error = api_error(503)
    delivery = queued(letter)
    Delivery.objects.filter(pk=delivery.pk).update(attempts=4)
    services.deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert 16 * 60 * 0.75 < wait < 16 * 60 * 1.25


def test_a_connection_refused_retries(letter, failing):
    from urllib3.exceptions import MaxRetryError, NewConnectionError

    reason = MaxRetryError(None, "/email", NewConnectionError(None, "refused"))
    failing.error = network_error(requests.ConnectionError, reason)
    assert services.deliver(delivery_id=queued(letter).pk) == Outcome.RETRY


@pytest.mark.parametrize(
    "error",
    [
        lambda: api_error(422),
        lambda: api_error(400),
        lambda: AnymailRecipientsRefused(),
    ],
)
def test_a_permanent_error_fails_and_the_supporter_gets_a_copy(
    letter, failing, error, django_capture_on_commit_callbacks
):
    failing.error = error()
    delivery = queued(letter)
    outcome = deliver_failing(delivery, django_capture_on_commit_callbacks)
    assert outcome == Outcome.FAILED
    delivery.refresh_from_db()
    assert delivery.status == Status.FAILED and delivery.failed_at
    assert delivery.supporter_notified_at is not None
    [notice] = mail.outbox
    assert notice.to == [letter.supporter.email]
    assert "could not be delivered" in notice.subject
    assert "Proteja al defensor, por favor." in notice.body
    assert "Señor Gobernador" in notice.body


def test_the_supporter_is_told_only_once(letter, failing, django_capture_on_commit_callbacks):
    failing.error = AnymailRecipientsRefused()
    delivery = queued(letter)
    deliver_failing(delivery, django_capture_on_commit_callbacks)
    assert services.tell_supporter_of_failure(delivery_id=delivery.pk) is False
    assert len(mail.outbox) == 1


def test_a_read_timeout_counts_as_sent_and_uncertain_and_never_resends(letter, failing):
    failing.error = network_error(requests.ReadTimeout)
    delivery = queued(letter)
    assert services.deliver(delivery_id=delivery.pk) == Outcome.UNCERTAIN
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and delivery.is_uncertain
    assert services.sweep_deliveries()["enqueued"] == 0
    assert Delivery.objects.filter(is_uncertain=True).count() == 1


def test_after_too_many_transient_errors_the_delivery_fails(letter, failing):
    failing.error = api_error(503)
    delivery = queued(letter)
    Delivery.objects.filter(pk=delivery.pk).update(attempts=services.MAX_ATTEMPTS - 1)
    assert services.deliver(delivery_id=delivery.pk) == Outcome.FAILED
    assert Delivery.objects.get(pk=delivery.pk).error_code == Delivery.ErrorCode.GAVE_UP


# --- sweeper ---------------------------------------------------------------------------


def sweep_at(minutes: float) -> dict:
    return services.sweep_deliveries(now=timezone.now() + datetime.timedelta(minutes=minutes))


def test_the_sweeper_hands_back_a_delivery_whose_lease_expired(letter):
    delivery = queued(letter)
    past = timezone.now() - datetime.timedelta(seconds=1)
    Delivery.objects.filter(pk=delivery.pk).update(status=Status.SENDING, lease_expires_at=past)
    result = services.sweep_deliveries()
    assert result["requeued"] == 1 and result["enqueued"] == 1
    delivery.refresh_from_db()
    assert delivery.status == Status.QUEUED and delivery.attempts == 1
    assert services.deliver(delivery_id=delivery.pk) == Outcome.SENT


def test_the_sweeper_leaves_a_delivery_whose_lease_runs(letter):
    delivery = queued(letter)
    future = timezone.now() + datetime.timedelta(minutes=4)
    Delivery.objects.filter(pk=delivery.pk).update(status=Status.SENDING, lease_expires_at=future)
    assert services.sweep_deliveries() == {"requeued": 0, "enqueued": 0, "failed": 0}


def test_the_sweeper_does_not_enqueue_a_fresh_delivery_twice(letter):
    queued(letter)
    assert services.dispatch_deliveries() == 1
    assert sweep_at(0)["enqueued"] == 0
    # Its task was lost: after a lease, the sweeper sends another.
    assert sweep_at(6)["enqueued"] == 1
    assert sweep_at(6.5)["enqueued"] == 0


def test_the_sweeper_enqueues_a_fresh_delivery_whose_dispatch_was_lost(letter):
    queued(letter)
    assert sweep_at(0)["enqueued"] == 1
    assert services.dispatch_deliveries() == 0


def test_the_sweeper_enqueues_a_long_wait_when_it_ends(case, official):
    DeliveryPolicy.objects.create(target=official, max_per_hour=1)
    first, second = (queued(LetterFactory(case=case, targets=[official])) for _ in range(2))
    services.deliver(delivery_id=first.pk)
    assert services.deliver(delivery_id=second.pk) == Outcome.PACED
    assert sweep_at(1)["enqueued"] == 0
    assert sweep_at(61)["enqueued"] == 1


def test_the_sweeper_skips_digest_targets(letter, official):
    DeliveryPolicy.objects.create(target=official, mode=DeliveryPolicy.Mode.DAILY_DIGEST)
    queued(letter)
    assert sweep_at(60)["enqueued"] == 0


def test_the_sweeper_gives_up_on_a_delivery_that_keeps_losing_its_lease(letter):
    delivery = queued(letter)
    past = timezone.now() - datetime.timedelta(seconds=1)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Status.SENDING, lease_expires_at=past, attempts=services.MAX_ATTEMPTS
    )
    assert services.sweep_deliveries()["failed"] == 1
    assert Delivery.objects.get(pk=delivery.pk).status == Status.FAILED


def test_on_the_embedded_default_a_delivery_becomes_an_eml_file(letter, settings):
    settings.EMAIL_BACKEND = "config.outbox.OutboxEmailBackend"
    assert services.deliver(delivery_id=queued(letter).pk) == Outcome.SENT
    [eml] = settings.EMAIL_OUTBOX_DIR.glob("*.eml")
    raw = eml.read_text()
    assert "letters@org.example" in raw and "reply.org.example" in raw
    assert letter.supporter.email not in raw
