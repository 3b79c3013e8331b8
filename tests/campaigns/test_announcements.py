import datetime
import re
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from campaigns import announcements, services, tasks
from campaigns.mail import mask_email
from campaigns.models import Announcement, AnnouncementDelivery, Consent, UrgentAction
from tests.factories import (
    ConsentFactory,
    FollowUpFactory,
    FollowUpTextFactory,
    SupporterFactory,
    UrgentActionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Kind = Announcement.Kind
UNSUBSCRIBE_LINK = re.compile(r"https?://\S+/unsubscribe/[^/\s]+/")


def follow_up_on(action):
    follow_up = FollowUpFactory(action=action)
    FollowUpTextFactory(follow_up=follow_up, language="en", title="Threats stopped")
    FollowUpTextFactory(follow_up=follow_up, language="es", title="Cesaron las amenazas")
    return follow_up


def announce_follow_up(action, capture):
    follow_up = follow_up_on(action)
    with capture(execute=True):
        return services.announce(action=action, kind=Kind.FOLLOW_UP, reference=follow_up.pk)


def participants(action, n, **supporter):
    people = [SupporterFactory(**supporter) for _ in range(n)]
    for person in people:
        ConsentFactory(supporter=person, action=action)
    return people


def test_a_follow_up_reaches_every_consenting_participant_once_despite_a_crash_and_reruns(
    eager, django_capture_on_commit_callbacks
):
    action = UrgentActionFactory()
    english = participants(action, 4)
    spanish = participants(action, 1, language="es")
    # Signed and wrote: two consents, one email.
    ConsentFactory(supporter=english[0], action=action)
    withdrawn = ConsentFactory(action=action, withdrawn_at=timezone.now()).supporter
    erased = ConsentFactory(action=action, supporter__erased_at=timezone.now()).supporter
    elsewhere = ConsentFactory().supporter
    real_send, sent = announcements.send_template, []

    def crash_after_three(**kwargs):
        if len(sent) == 3:
            raise RuntimeError("worker killed")
        real_send(**kwargs)
        sent.append(kwargs["to"])

    with (
        mock.patch.object(announcements, "send_template", crash_after_three),
        pytest.raises(RuntimeError),
    ):
        announce_follow_up(action, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 3
    announcement = Announcement.objects.get()
    # The row that was being sent went back to pending; nothing is stuck half-sent.
    assert not announcement.deliveries.filter(status=AnnouncementDelivery.Status.SENDING)

    tasks.fan_out_announcement(announcement.pk)
    tasks.fan_out_announcement(announcement.pk)
    for delivery_id in announcement.deliveries.values_list("pk", flat=True):
        tasks.send_announcement(delivery_id)

    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted(person.email for person in english + spanish)
    for person in (withdrawn, erased, elsewhere):
        assert person.email not in recipients
    by_address = {message.to[0]: message for message in mail.outbox}
    assert by_address[spanish[0].email].subject.startswith("Más información")
    assert "Cesaron las amenazas" in by_address[spanish[0].email].body
    assert "Threats stopped" in by_address[english[1].email].body
    assert announcement.deliveries.filter(status="sent").count() == 5


def test_a_rerun_of_the_fan_out_after_a_crash_resumes_after_the_last_row(monkeypatch):
    action = UrgentActionFactory()
    people = participants(action, 5)
    announcement = Announcement.objects.create(
        action=action,
        kind=Kind.HANDOVER,
        reference="1",
        content={"en": {"subject": "s", "body": "b"}},
    )
    monkeypatch.setattr(announcements, "BATCH", 2)
    enqueued = []
    with mock.patch.object(tasks.send_announcements, "delay", side_effect=enqueued.extend):
        # A crash after the first batch: its rows are written, the rest are not.
        real_create, calls = AnnouncementDelivery.objects.bulk_create, []

        def crash_on_second_batch(rows, **kwargs):
            calls.append(rows)
            if len(calls) == 2:
                raise RuntimeError("worker killed")
            return real_create(rows, **kwargs)

        with (
            mock.patch.object(AnnouncementDelivery.objects, "bulk_create", crash_on_second_batch),
            pytest.raises(RuntimeError),
        ):
            announcements.fan_out_announcement(announcement_id=announcement.pk)
        assert announcement.deliveries.count() == 2
        announcements.fan_out_announcement(announcement_id=announcement.pk)

    assert sorted(announcement.deliveries.values_list("supporter_id", flat=True)) == sorted(
        p.pk for p in people
    )
    # Ids only on the broker, never an address or a name.
    assert all(isinstance(delivery_id, int) for delivery_id in enqueued)
    assert len(enqueued) == 5


def test_announcing_the_same_thing_twice_is_one_announcement(django_capture_on_commit_callbacks):
    action = UrgentActionFactory()
    follow_up = follow_up_on(action)
    with django_capture_on_commit_callbacks() as callbacks:
        first = services.announce(action=action, kind=Kind.FOLLOW_UP, reference=follow_up.pk)
        second = services.announce(action=action, kind="follow_up", reference=str(follow_up.pk))
    assert first.pk == second.pk
    assert Announcement.objects.count() == 1
    assert len(callbacks) == 1


def test_announce_without_content_for_a_kind_campaigns_cannot_write_is_refused():
    with pytest.raises(ValueError):
        services.announce(action=UrgentActionFactory(), kind=Kind.REPLY, reference=7)


def test_publishing_a_new_follow_up_announces_it_and_editing_it_does_not(
    django_capture_on_commit_callbacks,
):
    action = UrgentActionFactory()
    follow_up = FollowUpFactory.build(action=action, sequence=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_follow_up(follow_up=follow_up)
        FollowUpTextFactory(follow_up=follow_up)
    announcement = Announcement.objects.get(kind=Kind.FOLLOW_UP)
    assert announcement.reference == str(follow_up.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_follow_up(follow_up=follow_up)
    assert Announcement.objects.count() == 1


def test_closing_with_an_outcome_is_announced_but_the_automatic_close_is_not(
    django_capture_on_commit_callbacks,
):
    decided, expired = UrgentActionFactory(), UrgentActionFactory()
    UrgentAction.objects.filter(pk=expired.pk).update(
        issued_on=datetime.date(2020, 1, 1), deadline=datetime.date(2020, 2, 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.close_action(
            action=decided,
            outcome_kind="good_news",
            outcome="Threats stopped; protection restored.",
        )
        services.close_expired_actions()
    announcement = Announcement.objects.get()
    assert (announcement.action, announcement.kind) == (decided, Kind.CLOSED)
    assert "protection restored" in announcement.content["en"]["body"]


def test_an_editor_extending_a_deadline_is_announced(django_capture_on_commit_callbacks):
    action = UrgentActionFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.extend_deadline(
            action=action, new_deadline=action.deadline + datetime.timedelta(1)
        )
        services.extend_deadline(
            action=action, new_deadline=action.deadline + datetime.timedelta(9), by=UserFactory()
        )
    announcement = Announcement.objects.get()
    assert announcement.kind == Kind.DEADLINE_EXTENDED


def test_emails_carry_one_click_unsubscribe_headers_and_a_visible_link(
    eager, django_capture_on_commit_callbacks
):
    action = UrgentActionFactory()
    (person,) = participants(action, 1)
    announce_follow_up(action, django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    header = message.extra_headers["List-Unsubscribe"]
    https, mailto = re.findall(r"<([^>]+)>", header)
    assert https.startswith("http") and "/unsubscribe/" in https
    assert mailto.startswith("mailto:unsubscribe@")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert UNSUBSCRIBE_LINK.search(message.body).group(0) == https
    assert person.email not in https and str(person.pk) not in urlsplit(https).path.split("/")


def test_the_one_click_post_unsubscribes_at_once_even_from_sends_already_queued(
    eager, django_capture_on_commit_callbacks
):
    action = UrgentActionFactory()
    (person,) = participants(action, 1)
    other = ConsentFactory(supporter=person)  # updates on another case stay
    announce_follow_up(action, django_capture_on_commit_callbacks)
    link = mail.outbox[0].extra_headers["List-Unsubscribe"].split("<")[1].split(">")[0]
    # The next follow-up's row is written and its send queued, but not yet run.
    with mock.patch.object(tasks.send_announcements, "delay") as delay:
        announce_follow_up(action, django_capture_on_commit_callbacks)
    (queued_id,) = [pk for call in delay.call_args_list for pk in call.args[0]]

    # What a mail client sends (RFC 8058): no cookie, no CSRF token.
    client = Client(enforce_csrf_checks=True)
    response = client.post(urlsplit(link).path, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    consent = Consent.objects.get(supporter=person, action=action)
    assert consent.withdrawn_at is not None
    assert Consent.objects.get(pk=other.pk).withdrawn_at is None
    assert tasks.send_announcement(queued_id) is False
    assert AnnouncementDelivery.objects.get(pk=queued_id).status == "skipped"
    assert len(mail.outbox) == 1


def test_the_unsubscribe_link_asks_before_acting_on_get(client):
    action = UrgentActionFactory()
    (person,) = participants(action, 1)
    url = announcements.unsubscribe_url(supporter_id=person.pk, action_id=action.pk, language="en")
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200
    assert b"<form" in response.content
    assert Consent.objects.get(supporter=person).withdrawn_at is None


def test_a_forged_unsubscribe_link_gets_a_clear_400(client):
    response = client.post("/unsubscribe/not-a-token/")
    assert response.status_code == 400
    assert b"does not work" in response.content


def test_emails_in_logs_are_masked():
    assert mask_email("ana.lopez@example.org") == "a***@example.org"
    assert mask_email("not an address") == "***"


def test_an_announcement_for_some_supporters_reaches_only_those_who_also_agreed(
    eager, django_capture_on_commit_callbacks
):
    action = UrgentActionFactory()
    chosen, other = participants(action, 2)
    not_consenting = SupporterFactory()
    content = {"en": {"subject": "The official answered", "body": "They wrote back."}}

    with django_capture_on_commit_callbacks(execute=True):
        announcement = services.announce(
            action=action,
            kind=Kind.REPLY,
            reference=1,
            content=content,
            supporter_ids=[chosen.pk, not_consenting.pk],
        )

    assert list(announcement.deliveries.values_list("supporter_id", flat=True)) == [chosen.pk]
    assert [message.to[0] for message in mail.outbox] == [chosen.email]
    assert other.email not in mail.outbox[0].to


def test_a_pending_row_whose_hand_out_was_lost_is_handed_out_again_and_sent_once(eager):
    action = UrgentActionFactory()
    participants(action, 2)
    announcement = Announcement.objects.create(
        action=action,
        kind=Kind.HANDOVER,
        reference="7",
        content={"en": {"subject": "s", "body": "b"}},
    )
    with mock.patch.object(tasks.send_announcements, "delay") as lost:
        announcements.fan_out_announcement(announcement_id=announcement.pk)
    assert lost.call_count == 1  # handed out, and the message was lost with the broker
    assert announcements.dispatch_announcements() == 0  # within its lease: left alone

    later = (
        timezone.now() + announcements.ANNOUNCEMENT_OUTBOX.lease() + datetime.timedelta(seconds=1)
    )
    assert announcements.dispatch_announcements(now=later) == 2
    assert announcements.dispatch_announcements(now=later) == 0
    assert len(mail.outbox) == 2
    assert announcement.deliveries.filter(status="sent").count() == 2
