"""What a receiver sees: ids, counts and states; a supporter's name and address only with a
consent covering the organisation; texts only when the endpoint asks and its organizer may;
an erased supporter as their opaque id alone."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from campaigns import events
from campaigns.models import Consent, Event
from campaigns.privacy import erase_supporter
from campaigns.services import close_action
from letters.services import deliver as deliver_letter
from letters.services import queue_letter
from replies.models import InboundMessage, Reply
from replies.services import publish_reply
from tests.factories import (
    ConsentFactory,
    EndpointFactory,
    SupporterFactory,
    UrgentActionFactory,
    UserFactory,
)
from webhooks import services
from webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db
Kind = Event.Kind


def payload_of(event: Event, endpoint) -> dict:
    """The document the endpoint would get for ``event`` now, as JSON would carry it."""
    services.fan_out_events()
    delivery = WebhookDelivery.objects.select_related(
        "endpoint__texts_allowed_by", "event__case", "event__supporter"
    ).get(event=event, endpoint=endpoint)
    built = services.build_payload(delivery=delivery, with_texts=services.may_send_texts(endpoint))
    return json.loads(json.dumps(built, default=str))


@pytest.fixture
def endpoint():
    return EndpointFactory()


@pytest.fixture
def supporter():
    return SupporterFactory(
        email="ana.lopez@example.net", name="Ana López", country="MX", language="es"
    )


def signed(supporter, case):
    return events.record(
        kind=Kind.SIGNATURE_CONFIRMED, case_id=case.pk, supporter_id=supporter.pk, object_id=7
    )


def test_without_consent_a_supporter_is_their_public_id_only(endpoint, supporter):
    case = UrgentActionFactory()
    # Agreeing that an official sees one's name is not agreeing to the organisation's CRM.
    ConsentFactory(supporter=supporter, action=case, kind=Consent.Kind.SHARE_NAME)
    ConsentFactory(supporter=supporter, action=UrgentActionFactory())  # another case's updates
    payload = payload_of(signed(supporter, case), endpoint)
    assert payload["data"]["supporter"] == {"id": str(supporter.public_id)}
    assert "example.net" not in json.dumps(payload) and "López" not in json.dumps(payload)
    assert payload["type"] == "signature.confirmed"
    assert payload["data"]["case"] == {"id": case.pk, "number": case.number, "status": "open"}


@pytest.mark.parametrize("kind", [Consent.Kind.CASE_UPDATES, Consent.Kind.NEW_CASES])
def test_with_a_consent_covering_the_organisation_the_name_and_email_go(endpoint, supporter, kind):
    case = UrgentActionFactory()
    ConsentFactory(supporter=supporter, action=case if kind == "case_updates" else None, kind=kind)
    payload = payload_of(signed(supporter, case), endpoint)
    assert payload["data"]["supporter"] == {
        "id": str(supporter.public_id),
        "name": "Ana López",
        "email": "ana.lopez@example.net",
        "country": "MX",
        "language": "es",
    }


def test_a_consent_withdrawn_before_the_event_goes_is_honoured(endpoint, supporter):
    case = UrgentActionFactory()
    ConsentFactory(supporter=supporter, action=case)
    event = signed(supporter, case)
    Consent.objects.update(withdrawn_at=timezone.now())
    assert payload_of(event, endpoint)["data"]["supporter"] == {"id": str(supporter.public_id)}


def test_an_erased_supporter_is_their_public_id_alone_even_in_earlier_events(endpoint, supporter):
    case = UrgentActionFactory()
    ConsentFactory(supporter=supporter, action=None, kind=Consent.Kind.NEW_CASES)
    earlier = signed(supporter, case)
    erase_supporter(supporter=supporter)
    erased = Event.objects.get(kind=Kind.SUPPORTER_ERASED)

    assert payload_of(erased, endpoint) == {
        "type": "supporter.erased",
        "timestamp": erased.occurred_at.isoformat(),
        "data": {"event_id": str(erased.uuid), "supporter": {"id": str(supporter.public_id)}},
    }
    assert payload_of(earlier, endpoint)["data"]["supporter"] == {"id": str(supporter.public_id)}


def sent_letter(letter, case) -> Event:
    queue_letter(letter=letter)
    deliver_letter(delivery_id=letter.deliveries.get().pk)
    return Event.objects.get(kind=Kind.LETTER_SENT)


def allowed_to_send_texts():
    user = UserFactory()
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="webhooks", codename="send_texts_endpoint")
    )
    return UserFactory._meta.model.objects.get(pk=user.pk)  # fresh permission cache


def test_a_letters_text_goes_only_when_asked_and_allowed(letter, case, letters_settings):
    plain = EndpointFactory()
    asked_not_allowed = EndpointFactory(has_texts=True, texts_allowed_by=UserFactory())
    organizer = allowed_to_send_texts()
    allowed = EndpointFactory(has_texts=True, texts_allowed_by=organizer)
    event = sent_letter(letter, case)

    assert "letter" not in payload_of(event, plain)["data"]
    assert "letter" not in payload_of(event, asked_not_allowed)["data"]
    got = payload_of(event, allowed)["data"]
    assert got["delivery"]["status"] == "sent"
    assert got["letter"]["body"].startswith("Señor Gobernador:")
    assert "{supporter_name}" not in got["letter"]["body"]

    # The permission taken away: no more texts.
    organizer.user_permissions.clear()
    allowed.refresh_from_db()
    assert not services.may_send_texts(allowed)


def test_a_published_reply_carries_its_public_summary_and_the_officials_words_only_as_text(
    case, official
):
    plain = EndpointFactory()
    allowed = EndpointFactory(has_texts=True, texts_allowed_by=allowed_to_send_texts())
    inbound = InboundMessage.objects.create(fingerprint="a" * 64, raw=b"")
    reply = Reply.objects.create(
        inbound=inbound,
        kind=Reply.Kind.REPLY,
        case=case,
        target=official,
        subject="Re: UA 58/20",
        text="We have taken measures.",
    )
    publish_reply(reply=reply, summary="The Governor says measures were taken.")
    event = Event.objects.get(kind=Kind.REPLY_PUBLISHED)

    reply_data = payload_of(event, plain)["data"]["reply"]
    assert reply_data["summary"] == "The Governor says measures were taken."
    assert "text" not in reply_data
    assert payload_of(event, allowed)["data"]["reply"]["text"] == "We have taken measures."


def test_a_closed_case_carries_its_counts(endpoint, case):
    close_action(action=case, outcome_kind="good_news")
    payload = payload_of(Event.objects.get(), endpoint)
    assert payload["data"]["case"]["status"] == "closed"
    assert payload["data"]["case"]["outcome_kind"] == "good_news"
    assert payload["data"]["counts"] == {
        "signatures_online": 0,
        "signatures_paper": 0,
        "signatures": 0,
    }
