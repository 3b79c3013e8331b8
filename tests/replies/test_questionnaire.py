"""'Did you get a reply?': the scheduler's tasks, the one-click page, uploads, follow-ups."""

import datetime
import re

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from campaigns.private_files import private_storage
from letters.models import Delivery, Letter
from replies import services, tasks
from replies.models import ReplyQuestion
from replies.services import receive_message

from .replies_support import eml, send

pytestmark = pytest.mark.django_db
Answer = ReplyQuestion.Answer
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def delivered(letter):
    delivery = send(letter)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.DELIVERED,
        delivered_at=timezone.now() - datetime.timedelta(days=15),
    )
    return delivery


def run_scheduler(monkeypatch, task_name: str = "send_reply_questions") -> list[int]:
    """Call the beat task; run the per-letter tasks it enqueues, as a worker would."""
    enqueued: list[int] = []
    monkeypatch.setattr(getattr(tasks, task_name), "delay", enqueued.append)
    beat = (
        tasks.ask_about_replies
        if task_name == "send_reply_questions"
        else (tasks.remind_about_replies)
    )
    beat()
    for letter_id in enqueued:
        getattr(tasks, task_name)(letter_id)
    return enqueued


def links(message) -> dict[str, str]:
    return dict(re.findall(r"- ([^:\n]+): (http\S+)", message.body))


def test_a_supporter_is_asked_once_after_the_waiting_days(monkeypatch, delivered, letter):
    assert run_scheduler(monkeypatch) == [letter.pk]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [letter.supporter.email]
    assert "UA 58/20" in message.subject
    assert set(links(message)) == {label for _v, label in services.ANSWERS}
    question = ReplyQuestion.objects.get()
    assert (question.letter, question.target, question.asked_at is not None) == (
        letter,
        delivered.target,
        True,
    )
    # Later beats, and the same task delivered twice, ask nobody again.
    run_scheduler(monkeypatch)
    tasks.send_reply_questions(letter.pk)
    assert len(mail.outbox) == 1 and ReplyQuestion.objects.count() == 1


def test_nobody_is_asked_before_the_waiting_days(monkeypatch, letter, settings):
    delivery = send(letter)
    Delivery.objects.filter(pk=delivery.pk).update(
        sent_at=timezone.now() - datetime.timedelta(days=settings.PLUMA_REPLY_QUESTION_DAYS - 1)
    )
    assert run_scheduler(monkeypatch) == []
    assert not ReplyQuestion.objects.exists() and not mail.outbox


def test_a_letter_sent_without_delivery_reports_is_asked_about_from_its_sending(
    monkeypatch, letter
):
    delivery = send(letter)
    Delivery.objects.filter(pk=delivery.pk).update(
        sent_at=timezone.now() - datetime.timedelta(days=20)
    )
    assert run_scheduler(monkeypatch) == [letter.pk]


def test_a_letter_already_answered_by_email_is_not_asked_about(monkeypatch, delivered):
    stored, _ = receive_message(raw=eml("outlook_reply.eml", delivered))
    services.record_reply(inbound_id=stored.pk)
    assert run_scheduler(monkeypatch) == []


def test_an_erased_supporter_is_never_asked(monkeypatch, delivered, letter):
    letter.supporter.__class__.objects.filter(pk=letter.supporter_id).update(
        erased_at=timezone.now()
    )
    assert run_scheduler(monkeypatch) == []
    assert not mail.outbox


def test_one_reminder_at_most(monkeypatch, delivered, letter, settings):
    run_scheduler(monkeypatch)
    assert run_scheduler(monkeypatch, "send_reply_reminder") == []  # too early
    ReplyQuestion.objects.update(
        asked_at=timezone.now() - datetime.timedelta(days=settings.PLUMA_REPLY_REMINDER_DAYS)
    )
    assert run_scheduler(monkeypatch, "send_reply_reminder") == [letter.pk]
    assert len(mail.outbox) == 2 and mail.outbox[1].subject.startswith("Reminder")
    assert run_scheduler(monkeypatch, "send_reply_reminder") == []
    tasks.send_reply_reminder(letter.pk)
    assert len(mail.outbox) == 2


def test_an_answered_question_gets_no_reminder(monkeypatch, delivered, settings):
    run_scheduler(monkeypatch)
    question = ReplyQuestion.objects.get()
    services.answer_question(question=question, answer=Answer.BY_POST)
    ReplyQuestion.objects.update(asked_at=timezone.now() - datetime.timedelta(days=30))
    assert run_scheduler(monkeypatch, "send_reply_reminder") == []


def test_a_failed_email_leaves_the_question_to_be_asked_again(monkeypatch, delivered, letter):
    def fail(self, *args, **kwargs):
        raise OSError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", fail)
    with pytest.raises(OSError):
        services.ask_about_replies()
        services.send_reply_questions(letter_id=letter.pk)
    services.ask_about_replies()
    with pytest.raises(OSError):
        services.send_reply_questions(letter_id=letter.pk)
    assert ReplyQuestion.objects.get().asked_at is None


# --- the page -------------------------------------------------------------------------


@pytest.fixture
def question(delivered):
    services.ask_about_replies()
    return ReplyQuestion.objects.get()


def url(question, suffix: str = "") -> str:
    token = services.link_token(question)
    return f"/replies/question/{token}/{suffix}"


def test_following_an_answer_link_records_nothing(client, question):
    response = client.get(url(question) + "?answer=no")
    assert response.status_code == 200
    assert b'aria-pressed="true"' in response.content
    question.refresh_from_db()
    assert question.answer == ""


def test_pressing_the_button_records_the_answer(client, question):
    response = client.post(url(question), {"answer": "by_email"})
    assert response.status_code == 303
    question.refresh_from_db()
    assert (question.answer, question.answered_at is not None) == (Answer.BY_EMAIL, True)


def test_a_made_up_answer_is_refused_with_a_message(client, question):
    response = client.post(url(question), {"answer": "maybe"})
    assert response.status_code == 400
    question.refresh_from_db()
    assert question.answer == ""


@pytest.mark.parametrize("token", ["nonsense", "1:abc:def"])
def test_a_damaged_link_gives_a_clear_400(client, token):
    response = client.get(f"/replies/question/{token}/")
    assert response.status_code == 400
    assert b"This link does not work" in response.content


def test_the_page_works_in_spanish(client, question):
    response = client.get("/es" + url(question))
    assert response.status_code == 200


def test_a_photo_of_a_postal_reply_waits_for_review(client, question):
    picture = SimpleUploadedFile("carta.png", PNG, content_type="image/png")
    response = client.post(url(question, "upload/"), {"file": picture})
    assert response.status_code == 303
    question.refresh_from_db()
    assert (question.upload_state, question.upload_content_type, question.answer) == (
        ReplyQuestion.Review.WAITING,
        "image/png",
        Answer.BY_POST,
    )
    assert services.review_upload(question=question, accepted=True)
    assert not services.review_upload(question=question, accepted=False)


def test_an_uploaded_postal_reply_is_private_and_goes_with_its_supporters_erasure(client, question):
    from campaigns.privacy import erase_supporter

    picture = SimpleUploadedFile("carta.png", PNG, content_type="image/png")
    client.post(url(question, "upload/"), {"file": picture})
    question.refresh_from_db()
    name = question.upload.name
    assert private_storage().open(name).read() == PNG
    assert not default_storage.exists(name)

    erase_supporter(supporter=question.letter.supporter)

    question.refresh_from_db()
    assert not question.upload and not private_storage().exists(name)


def test_an_upload_that_is_not_a_photo_or_pdf_is_refused(client, question):
    script = SimpleUploadedFile(
        "carta.pdf", b"<html><script>x</script>", content_type="application/pdf"
    )
    response = client.post(url(question, "upload/"), {"file": script})
    assert response.status_code == 400
    assert b"not accepted" in response.content
    question.refresh_from_db()
    assert question.upload_state == "" and not question.upload


def test_a_no_offers_a_prefilled_follow_up_in_the_officials_language(client, question):
    client.post(url(question), {"answer": "no"})
    response = client.get(url(question))
    body = response.content.decode()
    assert "Señor Gobernador:" in body
    assert "AU 58/20: sin respuesta a mi carta del" in body


def test_the_follow_up_letter_is_delivered_like_any_letter_and_only_once(
    client, question, django_capture_on_commit_callbacks
):
    services.answer_question(question=question, answer=Answer.NO)
    subject, body = services.follow_up_text(question)
    with django_capture_on_commit_callbacks() as captured:
        response = client.post(url(question, "follow-up/"), {"subject": subject, "body": body})
    assert response.status_code == 303
    assert len(captured) == 1  # letters.tasks.deliver
    question.refresh_from_db()
    follow_up = question.follow_up_letter
    assert follow_up.status == Letter.Status.CONFIRMED
    assert list(follow_up.targets.all()) == [question.target]
    assert follow_up.deliveries.get().target == question.target
    assert "no he recibido respuesta" in follow_up.body
    client.post(url(question, "follow-up/"), {"subject": subject, "body": body})
    assert Letter.objects.filter(supporter=question.letter.supporter).count() == 2


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("Sin respuesta\r\nBcc: victim@example.org", "Señor Gobernador: no he recibido respuesta."),
        ("Sin respuesta", "Señor Gobernador:\x1b[2J no he recibido respuesta."),
    ],
)
def test_a_follow_up_with_a_line_break_in_its_subject_or_control_characters_is_refused(
    client, question, subject, body
):
    services.answer_question(question=question, answer=Answer.NO)
    response = client.post(url(question, "follow-up/"), {"subject": subject, "body": body})
    assert response.status_code == 400
    question.refresh_from_db()
    assert question.follow_up_letter is None
    assert Letter.objects.filter(supporter=question.letter.supporter).count() == 1


def test_no_follow_up_is_offered_for_other_answers_or_closed_cases(question):
    services.answer_question(question=question, answer=Answer.NOT_SURE)
    assert services.write_follow_up(question=question, subject="s", body="b") is None
    services.answer_question(question=question, answer=Answer.NO)
    question.letter.case.__class__.objects.filter(pk=question.letter.case_id).update(
        status="closed", closed_at=timezone.now()
    )
    question.letter.case.refresh_from_db()
    assert services.write_follow_up(question=question, subject="s", body="b") is None


def test_a_follow_up_letter_is_not_itself_asked_about(monkeypatch, question):
    services.answer_question(question=question, answer=Answer.NO)
    letter = services.write_follow_up(question=question, subject="s", body="b")
    delivery = letter.deliveries.get()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENT, sent_at=timezone.now() - datetime.timedelta(days=30)
    )
    services.ask_about_replies()
    assert not ReplyQuestion.objects.filter(letter=letter).exists()
