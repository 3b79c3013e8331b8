"""The replies inbox in the Wagtail admin, used by an organizer."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from campaigns.models import Download
from campaigns.private_files import private_storage
from replies import services
from replies.models import Reply, ReplyQuestion
from replies.services import receive_message
from tests.factories import UserFactory, admin_user

from .replies_support import eml, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def organizer(client):
    user = UserFactory()
    # The group and its permissions come from the migrations (campaigns 0003, letters 0004).
    user.groups.add(Group.objects.get(name="Organizers"))
    client.force_login(user)
    return client


def receive(raw: bytes) -> Reply:
    stored, _ = receive_message(raw=raw)
    return services.record_reply(inbound_id=stored.pk)


@pytest.fixture
def sent(letter):
    return send(letter)


def test_the_inbox_filters_by_kind_and_state(organizer, sent):
    receive(eml("outlook_reply.eml", sent))
    receive(eml("out_of_office.eml", sent))
    response = organizer.get(reverse("reply_inbox:index"), {"kind": "automatic"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Respuesta automática" in html and "RE: UA 58/20" not in html
    response = organizer.get(
        reverse("reply_inbox:index"), {"state": "new", "case": sent.letter.case_id}
    )
    assert "RE: UA 58/20" in response.content.decode()


def test_reading_a_reply_marks_it_read_and_shows_its_cleaned_text(organizer, sent):
    reply = receive(eml("html_only_reply.eml", sent))
    response = organizer.get(reverse("reply_inbox:inspect", args=[reply.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dirección de Derechos Humanos" in html and "evil.example" not in html
    reply.refresh_from_db()
    assert reply.state == Reply.State.READ


def test_an_organizer_publishes_a_reply_with_a_summary(organizer, sent):
    reply = receive(eml("outlook_reply.eml", sent))
    url = reverse("reply_inbox:publish", args=[reply.pk])
    assert organizer.post(url, {"summary": ""}).status_code == 302
    reply.refresh_from_db()
    assert reply.state == Reply.State.NEW
    organizer.post(url, {"summary": "The Governor's office answered on 12 May."})
    reply.refresh_from_db()
    assert (reply.state, reply.summary) == (
        Reply.State.PUBLISHED,
        "The Governor's office answered on 12 May.",
    )


def test_an_organizer_links_a_quarantined_message_to_a_case(organizer, sent, case, official):
    reply = receive(eml("thread_reply_to_letters_address.eml", None))
    assert reply.kind == Reply.Kind.QUARANTINED
    response = organizer.post(
        reverse("reply_inbox:link", args=[reply.pk]), {"case": case.pk, "target": official.pk}
    )
    assert response.status_code == 302
    reply.refresh_from_db()
    assert (reply.kind, reply.case, reply.target, reply.routed_by) == (
        Reply.Kind.REPLY,
        case,
        official,
        "hand",
    )
    bad = organizer.post(reverse("reply_inbox:link", args=[reply.pk]), {"case": "nope"})
    assert bad.status_code == 302


def test_attachments_download_with_the_type_read_from_their_content(organizer, sent):
    reply = receive(eml("reply_with_attachment.eml", sent))
    kept = reply.attachments.exclude(file="").get()
    response = organizer.get(reverse("reply_inbox:attachment", args=[kept.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    refused = reply.attachments.filter(file="").get()
    assert organizer.get(reverse("reply_inbox:attachment", args=[refused.pk])).status_code == 404


def directives(header: str) -> set[str]:
    return {part.strip() for part in header.split(",")}


def test_an_attachment_is_a_private_file_and_each_download_is_logged(client, sent):
    reply = receive(eml("reply_with_attachment.eml", sent))
    kept = reply.attachments.exclude(file="").get()
    assert private_storage().exists(kept.file.name)
    assert not default_storage.exists(kept.file.name)
    reader = admin_user("replies.view_reply")
    client.force_login(reader)

    response = client.get(reverse("reply_inbox:attachment", args=[kept.pk]))

    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF-") and len(body) == kept.size
    assert {"private", "no-store"} <= directives(response["Cache-Control"])
    assert response["X-Content-Type-Options"] == "nosniff"
    download = Download.objects.get()
    assert (download.user, download.what, download.kind) == (reader, kept, "attachment")
    assert (download.filename, download.size) == (kept.filename, len(body))


def test_an_attachment_without_the_permission_is_refused_and_not_logged(client, sent):
    reply = receive(eml("reply_with_attachment.eml", sent))
    kept = reply.attachments.exclude(file="").get()
    client.force_login(admin_user("replies.view_replyquestion"))
    response = client.get(reverse("reply_inbox:attachment", args=[kept.pk]))
    assert response.status_code == 403
    assert not Download.objects.exists()


def test_an_uploaded_postal_reply_downloads_for_reviewers_only_and_is_logged(client, sent):
    question = ReplyQuestion.objects.create(
        letter=sent.letter,
        target=sent.target,
        upload_state=ReplyQuestion.Review.WAITING,
        upload_content_type="image/png",
    )
    question.upload.save("reply", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
    assert private_storage().exists(question.upload.name)
    url = reverse("reply_questions:upload", args=[question.pk])

    client.force_login(admin_user("replies.view_reply"))
    assert client.get(url).status_code == 403
    assert not Download.objects.exists()

    reviewer = admin_user("replies.view_replyquestion")
    client.force_login(reviewer)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\x89PNG\r\n\x1a\n"
    assert response["Content-Type"] == "image/png"
    assert {"private", "no-store"} <= directives(response["Cache-Control"])
    download = Download.objects.get()
    assert (download.user, download.what, download.kind, download.size) == (
        reviewer,
        question,
        "upload",
        8,
    )


def test_replies_cannot_be_added_or_deleted(organizer, sent):
    reply = receive(eml("outlook_reply.eml", sent))
    assert organizer.get(reverse("reply_inbox:add")).status_code in (302, 403)
    assert organizer.get(reverse("reply_inbox:delete", args=[reply.pk])).status_code in (302, 403)


def test_someone_without_the_permission_cannot_publish(client, sent):
    client.force_login(UserFactory())
    reply = receive(eml("outlook_reply.eml", sent))
    response = client.post(reverse("reply_inbox:publish", args=[reply.pk]), {"summary": "x"})
    assert response.status_code in (302, 403)
    reply.refresh_from_db()
    assert reply.state == Reply.State.NEW


def test_an_organizer_reviews_an_uploaded_postal_reply(organizer, sent):
    question = ReplyQuestion.objects.create(
        letter=sent.letter, target=sent.target, upload_state=ReplyQuestion.Review.WAITING
    )
    assert organizer.get(reverse("reply_questions:inspect", args=[question.pk])).status_code == 200
    organizer.post(reverse("reply_questions:review", args=[question.pk]), {"decision": "accept"})
    question.refresh_from_db()
    assert question.upload_state == ReplyQuestion.Review.ACCEPTED
