"""campaigns.events: each app records what happened in the transaction that made it happen,
only when someone wants that kind, and the hot paths pay nothing when nobody does."""

import datetime

import pytest
from anymail.signals import AnymailTrackingEvent, EventType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns import events, services
from campaigns.models import Event, Supporter, UrgentAction
from handovers.services import record_handover
from letters.models import Delivery, DeliveryPolicy
from letters.services import bundles, queue_letter, record_delivery_event
from letters.services import deliver as deliver_letter
from petitions import tokens
from petitions.services import confirm_signature
from replies.models import InboundMessage, Reply
from replies.services import publish_reply
from tests.factories import EmbassyFactory, EndpointFactory, SignatureFactory, SupporterFactory
from webhooks.services import forget_wanted_kinds, wanted_kinds

pytestmark = pytest.mark.django_db
Kind = Event.Kind


def confirm(signature) -> None:
    confirm_signature(token=tokens.make_token(signature_id=signature.pk, nonce=signature.nonce))


def queries_to_confirm() -> tuple[int, list[str]]:
    signature = SignatureFactory()
    wanted_kinds()  # a warm process cache, as on a web node after its first request
    with CaptureQueriesContext(connection) as queries:
        confirm(signature)
    return len(queries), [q["sql"] for q in queries]


def test_confirming_a_signature_costs_nothing_more_when_no_endpoint_wants_it():
    without, sql = queries_to_confirm()
    assert not any("webhooks_" in s or "campaigns_event" in s for s in sql)
    assert not Event.objects.exists()

    EndpointFactory(events=[Kind.CASE_CLOSED, Kind.LETTER_SENT])  # others, not this one
    Event.objects.all().delete()
    forget_wanted_kinds()
    others, sql = queries_to_confirm()
    assert others == without and not Event.objects.exists()

    EndpointFactory(events=[Kind.SIGNATURE_CONFIRMED])
    forget_wanted_kinds()
    wanted, sql = queries_to_confirm()
    assert wanted == without + 1, "one INSERT, and no work per endpoint"
    assert sum("campaigns_event" in s for s in sql) == 1
    assert not any("webhooks_" in s for s in sql)
    print(f"\nconfirming a signature: {without} queries; {wanted} with an endpoint wanting it")


def test_the_event_is_written_with_the_change_and_rolled_back_with_it():
    EndpointFactory(events=[Kind.SIGNATURE_CONFIRMED])
    signature = SignatureFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        confirm(signature)
        assert Event.objects.count() == 1
        raise RuntimeError("the request failed after the confirmation")
    assert not Event.objects.exists()

    confirm(signature)
    (event,) = Event.objects.all()
    assert (event.kind, event.case_id, event.supporter_id, event.object_id) == (
        Kind.SIGNATURE_CONFIRMED,
        signature.action_id,
        signature.supporter_id,
        signature.pk,
    )
    assert event.data == {
        "signature": {"id": signature.pk, "status": "confirmed", "is_counted": True}
    }


def test_a_kind_that_does_not_exist_is_refused():
    with pytest.raises(ValueError):
        events.record(kind="signature.confirmd")


@pytest.fixture
def wanting_everything():
    return EndpointFactory()


def test_a_letter_sent_delivered_and_bounced_are_events(
    wanting_everything, letter, letters_settings
):
    queue_letter(letter=letter)
    delivery = letter.deliveries.get()
    deliver_letter(delivery_id=delivery.pk)
    (sent,) = Event.objects.filter(kind=Kind.LETTER_SENT)
    assert (sent.case_id, sent.supporter_id, sent.object_id) == (
        letter.case_id,
        letter.supporter_id,
        delivery.pk,
    )
    assert sent.data["delivery"] == {
        "id": delivery.pk,
        "letter_id": letter.pk,
        "target_id": delivery.target_id,
        "status": "sent",
        "channel": "email",
        "is_uncertain": False,
    }

    def track(event_type: str, event_id: str) -> None:
        record_delivery_event(
            event=AnymailTrackingEvent(
                event_type=event_type,
                event_id=event_id,
                metadata={"delivery_id": str(delivery.pk)},
                timestamp=timezone.now(),
            ),
            esp_name="postmark",
        )

    track(EventType.DELIVERED, "d1")
    track(EventType.DELIVERED, "d1")  # a replay changes nothing, and tells nobody twice
    track(EventType.BOUNCED, "b1")
    kinds = list(Event.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == [Kind.LETTER_SENT, Kind.LETTER_DELIVERED, Kind.LETTER_BOUNCED]


def test_a_posted_bundle_is_one_letter_sent_event_per_letter(wanting_everything, letter, official):
    DeliveryPolicy.objects.create(target=official, mode=DeliveryPolicy.Mode.PRINTED_BUNDLE)
    queue_letter(letter=letter)
    key, count = bundles.prepare_bundle(target=official)
    assert count == 1
    assert bundles.record_bundle_posted(key=key) == 1
    assert bundles.record_bundle_posted(key=key) == 0
    (event,) = Event.objects.all()
    assert event.data["delivery"]["channel"] == "post"
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_publishing_a_reply_recording_a_handover_and_closing_a_case_are_events(
    wanting_everything, case, official
):
    inbound = InboundMessage.objects.create(fingerprint="f" * 64, raw=b"")
    reply = Reply.objects.create(inbound=inbound, kind=Reply.Kind.REPLY, case=case, target=official)
    assert publish_reply(reply=reply, summary="The Governor answered.")
    assert not publish_reply(reply=reply, summary="again")

    handover = record_handover(
        action=case,
        recipient=EmbassyFactory(),
        handed_over_on=datetime.date(2026, 11, 20),
        place="Ottawa",
        delivered_by="Ana",
        count_delivered=35000,
    )
    assert services.close_action(action=case, outcome_kind=UrgentAction.OutcomeKind.GOOD_NEWS)
    assert not services.close_action(action=case, outcome_kind=UrgentAction.OutcomeKind.GOOD_NEWS)

    found = {e.kind: e for e in Event.objects.all()}
    assert set(found) == {Kind.REPLY_PUBLISHED, Kind.HANDOVER_RECORDED, Kind.CASE_CLOSED}
    assert found[Kind.REPLY_PUBLISHED].data["reply"]["state"] == "published"
    assert found[Kind.HANDOVER_RECORDED].object_id == handover.pk
    assert found[Kind.HANDOVER_RECORDED].data["handover"]["count_delivered"] == 35000
    assert found[Kind.CASE_CLOSED].data["case"] == {"status": "closed", "outcome_kind": "good_news"}
    assert all(e.case_id == case.pk and e.supporter_id is None for e in found.values())


def test_an_erasure_is_one_event_with_the_public_id_only(wanting_everything):
    supporter = SupporterFactory(email="zeb@example.net", name="Zebulon")
    services.erase_supporter(supporter=supporter)
    supporter.refresh_from_db()
    services.erase_supporter(supporter=supporter)

    (event,) = Event.objects.all()
    assert event.kind == Kind.SUPPORTER_ERASED
    assert event.data == {"supporter": {"id": str(supporter.public_id)}}
    assert "zeb" not in str(event.data).lower()


def test_every_supporter_has_a_public_id_of_their_own():
    first, second = SupporterFactory(), SupporterFactory()
    assert first.public_id and first.public_id != second.public_id
    assert Supporter.objects.get(pk=first.pk).public_id == first.public_id
