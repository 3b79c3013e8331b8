"""Routing replies (token, thread, quarantine), automatic answers, publishing and notices."""

import contextlib
import datetime

import pytest
from celery import current_app
from django.core import mail
from django.db import IntegrityError
from django.template.loader import render_to_string
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from campaigns import tasks as campaign_tasks
from campaigns.models import Announcement, AnnouncementDelivery, Consent
from letters import tokens
from letters.models import Delivery
from replies import services
from replies.models import Reply
from replies.services import receive_message
from tests.factories import (
    ConsentFactory,
    DeliveryFactory,
    LetterFactory,
    SupporterFactory,
    TargetFactory,
    UrgentActionFactory,
    UserFactory,
)

from .replies_support import eml, send

pytestmark = pytest.mark.django_db
Kind = Reply.Kind


@pytest.fixture
def sent(letter):
    return send(letter)


def receive(raw: bytes, recipient: str = "") -> Reply:
    stored, _created = receive_message(raw=raw, envelope_recipient=recipient)
    return services.record_reply(inbound_id=stored.pk)


# --- routing --------------------------------------------------------------------------


def test_an_outlook_reply_routes_by_its_token_and_keeps_only_the_officials_words(sent):
    reply = receive(eml("outlook_reply.eml", sent))
    assert (reply.kind, reply.routed_by, reply.delivery) == (Kind.REPLY, "token", sent)
    assert reply.case == sent.letter.case and reply.target == sent.target
    assert "medidas de protección" in reply.text
    assert "Proteja al defensor" not in reply.text
    assert reply.from_address.endswith("oficina.gobernador@yucatan.gob.example>")
    assert reply.sent_at == datetime.datetime(2026, 5, 12, 15, 42, 7, tzinfo=datetime.UTC)


def test_an_html_only_reply_is_sanitised_and_gets_a_text_version(sent):
    reply = receive(eml("html_only_reply.eml", sent))
    assert reply.kind == Kind.REPLY and reply.delivery == sent
    for dangerous in ("<script", "onload", "onclick", "evil.example", "<img", "tracker.example"):
        assert dangerous not in reply.html
    assert 'href="https://inm.gob.example/caso"' in reply.html
    assert "Dirección de Derechos Humanos" in reply.text


def test_attachments_are_kept_by_content_and_a_disguised_program_is_refused(sent):
    reply = receive(eml("reply_with_attachment.eml", sent))
    kept, refused = reply.attachments.order_by("pk")
    assert (kept.filename, kept.content_type, bool(kept.file)) == (
        "oficio INM-5678.pdf",
        "application/pdf",
        True,
    )
    assert kept.file.read().startswith(b"%PDF-")
    assert refused.filename == "factura.pdf" and not refused.file
    assert refused.rejected_reason


def test_an_oversized_attachment_is_not_kept(sent, settings):
    settings.PLUMA_REPLY_ATTACHMENT_MAX_BYTES = 10
    reply = receive(eml("reply_with_attachment.eml", sent))
    assert not any(a.file for a in reply.attachments.all())


def test_a_reply_to_the_letters_address_routes_by_its_references(sent):
    reply = receive(eml("thread_reply_to_letters_address.eml", sent))
    assert (reply.kind, reply.routed_by, reply.delivery) == (Kind.REPLY, "thread", sent)
    assert reply.text == "Gracias por su mensaje. La Secretaría de Gobernación dará seguimiento."


def test_an_out_of_office_answer_is_kept_apart_from_replies(sent):
    reply = receive(eml("out_of_office.eml", sent))
    assert reply.kind == Kind.AUTOMATIC and reply.delivery == sent


def test_a_delivery_status_report_is_automatic(sent):
    reply = receive(eml("dsn_bounce.eml", sent))
    assert reply.kind == Kind.AUTOMATIC


@pytest.mark.parametrize(
    "header",
    ["X-Autoreply: yes", "X-Autorespond: on", "Precedence: bulk", "Precedence: auto_reply"],
)
def test_autoresponder_headers_mark_a_message_automatic(sent, header):
    raw = eml("outlook_reply.eml", sent).replace(
        b"MIME-Version: 1.0", f"{header}\nMIME-Version: 1.0".encode()
    )
    assert receive(raw).kind == Kind.AUTOMATIC


def test_a_forged_token_goes_to_quarantine_even_with_a_known_thread(sent, settings):
    forged = f"r-{tokens.make_token(sent.pk, secret='not our key')}@{settings.REPLY_DOMAIN}"
    reply = receive(eml("outlook_reply.eml", sent, reply_to=forged), forged)
    assert (reply.kind, reply.delivery, reply.case) == (Kind.QUARANTINED, None, None)
    assert "forged" in reply.quarantine_reason


def test_a_token_of_a_delivery_that_does_not_exist_goes_to_quarantine(sent, settings):
    address = tokens.reply_address(sent.pk + 999)
    reply = receive(eml("outlook_reply.eml", sent, reply_to=address), address)
    assert reply.kind == Kind.QUARANTINED and reply.delivery is None


def test_an_expired_reply_address_goes_to_quarantine(sent, settings):
    Delivery.objects.filter(pk=sent.pk).update(
        sent_at=timezone.now() - datetime.timedelta(days=settings.PLUMA_REPLY_TOKEN_DAYS + 1)
    )
    reply = receive(eml("outlook_reply.eml", sent))
    assert reply.kind == Kind.QUARANTINED and "expired" in reply.quarantine_reason


def test_a_message_with_no_token_and_no_known_thread_goes_to_quarantine(sent):
    reply = receive(eml("thread_reply_to_letters_address.eml", None))
    assert reply.kind == Kind.QUARANTINED and reply.delivery is None


def test_from_and_subject_never_route(sent, official):
    # The official's own address in From and the case number in Subject: still quarantine.
    raw = eml("thread_reply_to_letters_address.eml", None).replace(
        b"asesor@gobernacion.gob.example", official.email.encode()
    )
    reply = receive(raw)
    assert reply.kind == Kind.QUARANTINED


def test_spam_flagged_by_the_esp_is_kept_apart(sent):
    stored, _ = receive_message(
        raw=eml("outlook_reply.eml", sent),
        envelope_recipient=tokens.reply_address(sent.pk),
        is_spam=True,
    )
    assert services.record_reply(inbound_id=stored.pk).kind == Kind.SPAM


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.data(),
    change=st.sampled_from(["flip", "truncate", "purpose", "key"]),
)
def test_routing_a_token_finds_its_delivery_and_any_change_finds_none(deliveries, data, change):
    delivery = data.draw(st.sampled_from(deliveries))
    token = tokens.make_token(delivery.pk)
    assert tokens.route_token(token) == delivery
    if change == "flip":
        raw = bytearray(tokens.base64.b32decode(token.upper() + "=" * (-len(token) % 8)))
        bit = data.draw(st.integers(0, len(raw) * 8 - 1))
        raw[bit // 8] ^= 1 << (bit % 8)
        changed = tokens.base64.b32encode(bytes(raw)).decode().rstrip("=").lower()
    elif change == "truncate":
        changed = token[: data.draw(st.integers(0, len(token) - 1))]
    elif change == "purpose":
        original = tokens.PURPOSE
        tokens.PURPOSE = b"pluma.something-else.v1"
        try:
            changed = tokens.make_token(delivery.pk)
        finally:
            tokens.PURPOSE = original
    else:
        changed = tokens.make_token(delivery.pk, secret=data.draw(st.text(min_size=1)) + "x")
    assert tokens.route_token(changed) is None


@pytest.fixture
def deliveries():
    return [DeliveryFactory() for _ in range(5)]


# --- organizers -----------------------------------------------------------------------


def test_reading_marks_a_reply_read_once(sent):
    reply = receive(eml("outlook_reply.eml", sent))
    assert services.mark_reply_read(reply=reply)
    assert not services.mark_reply_read(reply=reply)
    assert reply.state == Reply.State.READ


def test_a_quarantined_message_linked_by_hand_can_be_published(sent, case, official):
    reply = receive(eml("thread_reply_to_letters_address.eml", None))
    services.link_reply(reply=reply, case=case, target=official)
    reply.refresh_from_db()
    assert (reply.kind, reply.routed_by, reply.case) == (Kind.REPLY, "hand", case)
    assert services.publish_reply(reply=reply, summary="The Interior Ministry answered.")


def test_a_quarantined_message_cannot_be_published(sent):
    reply = receive(eml("thread_reply_to_letters_address.eml", None))
    assert not services.publish_reply(reply=reply, summary="Nope")
    reply.refresh_from_db()
    assert reply.state == Reply.State.NEW


def test_the_database_refuses_a_published_reply_without_a_case(sent):
    reply = receive(eml("thread_reply_to_letters_address.eml", None))
    with pytest.raises(IntegrityError):
        Reply.objects.filter(pk=reply.pk).update(state=Reply.State.PUBLISHED)


def writer(case, official, *, consent: bool = True, erased: bool = False):
    supporter = SupporterFactory(erased_at=timezone.now() if erased else None)
    letter = LetterFactory(case=case, supporter=supporter, targets=[official])
    send(letter)
    if consent:
        ConsentFactory(supporter=supporter, action=case, kind=Consent.Kind.CASE_UPDATES)
    return supporter


@contextlib.contextmanager
def eager():
    """Queued tasks run at once, and their errors reach the caller."""
    conf = current_app.conf
    was = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager = conf.task_eager_propagates = True
    yield
    conf.task_always_eager, conf.task_eager_propagates = was


def test_publishing_tells_each_consenting_writer_once(
    case, official, django_capture_on_commit_callbacks
):
    told = [writer(case, official), writer(case, official)]
    writer(case, official, consent=False)
    withdrawn = writer(case, official)
    Consent.objects.filter(supporter=withdrawn).update(withdrawn_at=timezone.now())
    writer(case, official, erased=True)
    other_case = UrgentActionFactory()
    writer(other_case, official)  # wrote to the same official on another case
    writer(case, TargetFactory())  # wrote on the case, to another official
    to_official = Delivery.objects.filter(letter__case=case, target=official).first()
    reply = receive(eml("outlook_reply.eml", to_official))
    user = UserFactory()

    with eager(), django_capture_on_commit_callbacks(execute=True):
        assert services.publish_reply(
            reply=reply, summary="The Governor answered on 12 May.", user=user
        )
    assert not services.publish_reply(reply=reply, summary="again")
    reply.refresh_from_db()
    assert (reply.state, reply.summary, reply.published_by) == (
        Reply.State.PUBLISHED,
        "The Governor answered on 12 May.",
        user,
    )

    announcement = Announcement.objects.get(kind=Announcement.Kind.REPLY)
    assert announcement.reference == str(reply.pk) and announcement.action == case
    deliveries = announcement.deliveries.all()
    assert {d.supporter for d in deliveries} == set(told)
    assert {d.status for d in deliveries} == {AnnouncementDelivery.Status.SENT}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.email for s in told)
    assert "The Governor answered on 12 May." in mail.outbox[0].body
    assert "List-Unsubscribe" in mail.outbox[0].extra_headers
    # A second announcement and fan-out (a retried task) tell no one again.
    services.announce_reply(reply_id=reply.pk)
    campaign_tasks.fan_out_announcement(announcement.pk)
    for delivery in deliveries:
        campaign_tasks.send_announcement(delivery.pk)
    assert Announcement.objects.filter(kind=Announcement.Kind.REPLY).count() == 1
    assert announcement.deliveries.count() == 2 and len(mail.outbox) == 2


def test_announcing_an_unpublished_reply_does_nothing(sent, case):
    ConsentFactory(supporter=sent.letter.supporter, action=case)
    reply = receive(eml("outlook_reply.eml", sent))
    services.announce_reply(reply_id=reply.pk)
    assert not Announcement.objects.exists()


def test_published_replies_show_on_the_case_timeline_and_others_do_not(sent, case):
    published = receive(eml("outlook_reply.eml", sent))
    services.publish_reply(reply=published, summary="The Governor's office answered on 12 May.")
    receive(eml("html_only_reply.eml", sent))  # read by organizers only
    html = render_to_string("replies/_timeline.html", {"action": case})
    assert "The Governor&#x27;s office answered on 12 May." in html
    assert "Secretaría" not in html and "López" not in html
    assert (
        render_to_string("replies/_timeline.html", {"action": UrgentActionFactory()}).strip() == ""
    )
