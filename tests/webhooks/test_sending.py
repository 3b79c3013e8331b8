"""Sending events to a real HTTP receiver on this machine: signed per Standard Webhooks
(checked with the `standardwebhooks` package's verifier), retried after a 500 or a hang,
delivered once after a success, in order per supporter, given up after the retry window,
and an endpoint that keeps failing switched off."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from standardwebhooks import Webhook, WebhookVerificationError

from campaigns import events
from petitions.services import confirm_pending_signature
from tests.factories import (
    EndpointFactory,
    SignatureFactory,
    SupporterFactory,
    UrgentActionFactory,
    UserFactory,
)
from webhooks import services
from webhooks.models import Endpoint, WebhookDelivery
from webhooks.services import sending

from .conftest import deliveries, verified

pytestmark = pytest.mark.django_db

Kind = events.Kind
Status = WebhookDelivery.Status


@pytest.fixture(autouse=True)
def _quick(settings):
    settings.PLUMA_WEBHOOK_TIMEOUT = 1


def make_due(*rows: WebhookDelivery) -> None:
    """As if the wait before their next attempt had passed."""
    WebhookDelivery.objects.filter(pk__in=[r.pk for r in rows] or None).update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )


def send_all_due() -> dict[str, int]:
    """What the dispatch and the workers do, here and now: fan out, then send every due row
    in the order the dispatch would hand them out."""
    services.fan_out_events()
    ids = list(
        WebhookDelivery.objects.filter(sending._due(timezone.now()))
        .order_by("event_id", "pk")
        .values_list("pk", flat=True)
    )
    return services.deliver_webhooks(delivery_ids=ids)


def test_a_confirmed_signature_reaches_the_endpoint_signed_as_the_standard_says(receiver):
    endpoint = EndpointFactory(url=receiver.url, events=[Kind.SIGNATURE_CONFIRMED])
    signature = SignatureFactory()
    confirm_pending_signature(action_id=signature.action_id, supporter_id=signature.supporter_id)

    assert send_all_due() == {"delivered": 1}

    (received,) = receiver.received
    payload = verified(received, endpoint.secret)
    assert payload["type"] == "signature.confirmed"
    assert payload["data"]["signature"] == {
        "id": signature.pk,
        "status": "confirmed",
        "is_counted": True,
    }
    assert payload["data"]["case"]["number"] == signature.action.number
    assert payload["data"]["supporter"] == {"id": str(signature.supporter.public_id)}
    assert received.headers["content-type"] == "application/json"
    assert received.headers["webhook-id"].startswith("msg_")
    with pytest.raises(WebhookVerificationError):
        Webhook(services.endpoints.signing.new_secret()).verify(received.body, received.headers)
    (delivery,) = deliveries()
    assert delivery.status == Status.DELIVERED
    assert delivery.last_status_code == 200
    assert delivery.last_response == '{"received": true}'
    assert delivery.last_duration_ms is not None
    endpoint.refresh_from_db()
    assert endpoint.last_success_at is not None and endpoint.failing_since is None


def test_an_event_nobody_wants_is_not_written():
    EndpointFactory(events=[Kind.CASE_CLOSED])
    signature = SignatureFactory()
    confirm_pending_signature(action_id=signature.action_id, supporter_id=signature.supporter_id)
    assert not events.Event.objects.exists()


def test_a_500_is_retried_and_the_event_delivered_once_after_the_success(receiver):
    endpoint = EndpointFactory(url=receiver.url)
    events.record(kind=Kind.CASE_CLOSED, case_id=UrgentActionFactory().pk)
    receiver.answer(500)

    assert send_all_due() == {"retry": 1}
    (delivery,) = deliveries()
    assert delivery.status == Status.PENDING and delivery.attempts == 1
    assert delivery.last_status_code == 500
    assert delivery.next_attempt_at > timezone.now() + datetime.timedelta(seconds=20)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is not None

    assert send_all_due() == {}, "not before its time"
    make_due(delivery)
    assert send_all_due() == {"delivered": 1}
    make_due(delivery)
    assert send_all_due() == {}
    assert services.deliver_webhook(delivery_id=delivery.pk) == sending.Outcome.SKIPPED

    first, second = receiver.received
    assert first.webhook_id == second.webhook_id, "the same id on every retry"
    assert [r.status for r in receiver.received] == [500, 200]
    assert len(receiver.acknowledged()) == 1
    verified(second, endpoint.secret)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.DELIVERED, 2)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None, "a success ends the failing spell"


def test_an_endpoint_that_hangs_times_out_and_the_event_is_retried(receiver):
    EndpointFactory(url=receiver.url)
    events.record(kind=Kind.CASE_CLOSED, case_id=UrgentActionFactory().pk)
    receiver.answer("hang")

    started = timezone.now()
    assert send_all_due() == {"retry": 1}
    assert timezone.now() - started < datetime.timedelta(seconds=2.5)
    (delivery,) = deliveries()
    assert delivery.last_error == "timed out" and delivery.last_status_code is None

    make_due(delivery)
    assert send_all_due() == {"delivered": 1}
    assert [r.status for r in receiver.received] == ["hang", 200]


def test_a_redirect_is_not_followed(receiver):
    EndpointFactory(url=receiver.url)
    events.record(kind=Kind.CASE_CLOSED, case_id=UrgentActionFactory().pk)
    receiver.answer(301)
    assert send_all_due() == {"retry": 1}
    assert len(receiver.received) == 1


def test_a_supporters_events_go_in_order_and_others_are_not_held_back(receiver):
    endpoint = EndpointFactory(url=receiver.url)
    case = UrgentActionFactory()
    ana, ben = SupporterFactory(), SupporterFactory()
    kinds = [Kind.SIGNATURE_CONFIRMED, Kind.LETTER_SENT, Kind.LETTER_DELIVERED]
    for kind in kinds:
        for supporter in (ana, ben):
            events.record(kind=kind, case_id=case.pk, supporter_id=supporter.pk, object_id=1)
    events.record(kind=Kind.CASE_CLOSED, case_id=case.pk)
    services.fan_out_events()
    ana_rows = deliveries(supporter_id=ana.pk)

    # Only each supporter's first event (and the case's, which has no supporter) is due.
    due = WebhookDelivery.objects.filter(sending._due(timezone.now()))
    assert set(due.values_list("kind", "supporter_id")) == {
        (Kind.SIGNATURE_CONFIRMED, ana.pk),
        (Kind.SIGNATURE_CONFIRMED, ben.pk),
        (Kind.CASE_CLOSED, None),
    }
    # A worker given a later row first must not send it.
    assert services.deliver_webhook(delivery_id=ana_rows[1].pk) == sending.Outcome.SKIPPED

    receiver.answer(500)  # Ana's first event fails once
    for _ in range(10):
        make_due(*WebhookDelivery.objects.filter(status=Status.PENDING))
        send_all_due()
        if not WebhookDelivery.objects.exclude(status=Status.DELIVERED).exists():
            break
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {Status.DELIVERED}

    for supporter in (ana, ben):
        got = [
            verified(r, endpoint.secret)
            for r in receiver.acknowledged()
            if r.json["data"].get("supporter", {}).get("id") == str(supporter.public_id)
        ]
        assert [p["type"] for p in got] == kinds
    # Ben's events did not wait for Ana's failure.
    order = [r.json["data"].get("supporter", {}).get("id") for r in receiver.received]
    assert order.index(str(ben.public_id)) < len(order) - 3


def test_a_delivery_past_the_retry_window_is_given_up_and_holds_back_nothing(receiver, settings):
    EndpointFactory(url=receiver.url)
    supporter = SupporterFactory()
    for kind in (Kind.LETTER_SENT, Kind.LETTER_DELIVERED):
        events.record(kind=kind, supporter_id=supporter.pk, object_id=1)
    services.fan_out_events()
    first, second = deliveries()
    WebhookDelivery.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=settings.PLUMA_WEBHOOK_RETRY_HOURS)
    )
    receiver.answer(500)

    assert send_all_due() == {"failed": 1}
    assert send_all_due() == {"delivered": 1}
    first.refresh_from_db()
    assert first.status == Status.FAILED and first.failed_at is not None
    assert [r.json["type"] for r in receiver.acknowledged()] == ["letter.delivered"]


def test_an_endpoint_failing_for_a_day_is_switched_off_and_its_organizers_told(
    receiver, settings, django_capture_on_commit_callbacks
):
    settings.PLUMA_WEBHOOK_DISABLE_HOURS = 24
    owner = UserFactory(email="owner@org.example")
    endpoint = EndpointFactory(url=receiver.url, created_by=owner)
    Endpoint.objects.filter(pk=endpoint.pk).update(
        failing_since=timezone.now() - datetime.timedelta(hours=23)
    )
    events.record(kind=Kind.CASE_CLOSED, case_id=UrgentActionFactory().pk)
    receiver.answer(500, 500)
    assert send_all_due() == {"retry": 1}
    endpoint.refresh_from_db()
    assert endpoint.is_active, "23 hours of failures are not enough"

    Endpoint.objects.filter(pk=endpoint.pk).update(
        failing_since=timezone.now() - datetime.timedelta(hours=25)
    )
    make_due(*deliveries())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert send_all_due() == {"retry": 1}
    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_at is not None
    assert "24 hours" in endpoint.disabled_reason
    assert callbacks, "the organizers are told, after the commit"
    assert "case.closed" not in services.wanted_kinds()

    # Nothing more goes to it while it is off, and what waits stays.
    make_due(*deliveries())
    assert send_all_due() == {}
    assert deliveries()[0].status == Status.PENDING

    assert services.tell_organizers_endpoint_off(endpoint_id=endpoint.pk) == 1
    (email,) = mail.outbox
    assert email.to == ["owner@org.example"]
    assert endpoint.name in email.subject
    assert f"/webhooks/endpoints/edit/{endpoint.pk}/" in email.body


def test_switching_an_endpoint_back_on_sends_what_waited_in_order(receiver):
    organizer = UserFactory(is_superuser=True)
    endpoint = EndpointFactory(url=receiver.url, is_active=False, disabled_reason="x")
    supporter = SupporterFactory()
    Endpoint.objects.filter(pk=endpoint.pk).update(is_active=True)
    services.forget_wanted_kinds()
    for kind in (Kind.LETTER_SENT, Kind.LETTER_BOUNCED):
        events.record(kind=kind, supporter_id=supporter.pk, object_id=1)
    services.fan_out_events()
    Endpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
    assert send_all_due() == {}

    services.update_endpoint(
        endpoint=endpoint,
        name=endpoint.name,
        url=endpoint.url,
        events=endpoint.events,
        is_active=True,
        has_texts=False,
        by=organizer,
    )
    for _ in range(3):
        send_all_due()
    assert [r.json["type"] for r in receiver.acknowledged()] == ["letter.sent", "letter.bounced"]
    endpoint.refresh_from_db()
    assert endpoint.disabled_reason == "" and endpoint.disabled_at is None


def test_an_endpoint_hears_only_of_events_after_it_was_made(receiver):
    events_before = EndpointFactory(url=receiver.url)
    events.record(kind=Kind.CASE_CLOSED, case_id=UrgentActionFactory().pk)
    later = EndpointFactory(url=receiver.url, created_at=timezone.now() + datetime.timedelta(1))
    services.fan_out_events()
    assert [d.endpoint_id for d in deliveries()] == [events_before.pk]
    assert later.pk


def test_during_a_rotation_both_secrets_sign(receiver):
    endpoint = EndpointFactory(url=receiver.url)
    old = endpoint.secret
    new = services.rotate_secret(endpoint=endpoint)
    assert new != old and new.startswith("whsec_")
    events.record(kind=Kind.CASE_CLOSED, case_id=UrgentActionFactory().pk)
    send_all_due()
    (received,) = receiver.received
    verified(received, old)
    verified(received, new)
    assert len(received.headers["webhook-signature"].split(" ")) == 2

    Endpoint.objects.filter(pk=endpoint.pk).update(
        previous_secret_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    events.record(kind=Kind.CASE_CLOSED, case_id=UrgentActionFactory().pk)
    send_all_due()
    latest = receiver.received[-1]
    verified(latest, new)
    with pytest.raises(WebhookVerificationError):
        verified(latest, old)


def test_a_worker_killed_mid_send_leaves_the_row_to_be_taken_back_and_sent_again(receiver):
    """At least once: the claim's lease runs out and the dispatch takes the row back."""
    EndpointFactory(url=receiver.url)
    events.record(kind=Kind.CASE_CLOSED, case_id=UrgentActionFactory().pk)
    services.fan_out_events()
    (delivery,) = deliveries()
    # What a worker killed between its claim and its record leaves behind.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=Status.SENDING, lease_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert send_all_due() == {}
    assert services.take_back_lost() == 1
    assert send_all_due() == {"delivered": 1}


def test_the_log_keeps_waiting_rows_and_forgets_old_finished_ones(receiver, settings):
    EndpointFactory(url=receiver.url)
    for _ in range(2):
        events.record(kind=Kind.CASE_CLOSED, case_id=UrgentActionFactory().pk)
    send_all_due()
    events.record(kind=Kind.CASE_CLOSED, case_id=UrgentActionFactory().pk)
    services.fan_out_events()
    later = timezone.now() + datetime.timedelta(days=settings.PLUMA_WEBHOOK_LOG_DAYS + 1)
    assert services.prune_webhook_log(now=later) == 4  # two deliveries and their events
    assert [d.status for d in deliveries()] == [Status.PENDING]
    assert events.Event.objects.count() == 1
