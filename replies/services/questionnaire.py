""" "Did you get a reply?": asking supporters, once and one reminder, what officials did.

PLUMA_REPLY_QUESTION_DAYS after a letter reached an official (or was sent, where the ESP
reports no deliveries), the supporter gets one email per letter with one-click answers
for each official; PLUMA_REPLY_REMINDER_DAYS later, if still unanswered, one reminder.
The links open a page with buttons, and only the button's POST records an answer (mail
scanners follow links). A "no" offers a short follow-up letter to the same official.
"""

import datetime
import logging

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import formats, timezone, translation

from campaigns.links import Link, LinkError
from campaigns.mail import send_template, url_in
from letters.models import Delivery, Letter, fill_placeholders, placeholder_values
from letters.services import queue_letter

from .. import attachments, enqueue
from ..models import Reply, ReplyQuestion

__all__ = [
    "ANSWERS",
    "QuestionLinkError",
    "answer_question",
    "answer_url",
    "ask_about_replies",
    "can_follow_up",
    "follow_up_text",
    "link_token",
    "question_for_token",
    "remind_about_replies",
    "review_upload",
    "send_reply_questions",
    "upload_postal_reply",
    "write_follow_up",
]

logger = logging.getLogger(__name__)

Answer, Review = ReplyQuestion.Answer, ReplyQuestion.Review
# Named when replies were part of letters; changing it would break every link already sent.
LINK_MAX_AGE = datetime.timedelta(days=180)
BATCH = 5000
WENT_OUT = (Delivery.Status.SENT, Delivery.Status.DELIVERED)
ANSWERS = [(value, label) for value, label in Answer.choices if value]

# The follow-up is written to the official, so in the official's language.
FOLLOW_UP_TEXTS = {
    "en": (
        "UA {ua_number}: no answer to my letter of {date}",
        "{salutation},\n\nI wrote to you on {date} about Urgent Action {ua_number} ({title}) "
        "and have had no answer. I ask you again to act on this case, and to reply.\n\n"
        "Yours sincerely,\n{supporter_name}",
    ),
    "es": (
        "AU {ua_number}: sin respuesta a mi carta del {date}",
        "{salutation}:\n\nLe escribí el {date} sobre la Acción Urgente {ua_number} ({title}) "
        "y no he recibido respuesta. Le pido de nuevo que actúe en este caso y que me "
        "responda.\n\nAtentamente,\n{supporter_name}",
    ),
}


class QuestionLinkError(Exception):
    """A questionnaire link that is cut, changed or too old."""


# The salt is the one of the links sent before replies became an app, so they still work.
QUESTION_LINK: Link[int] = Link(
    "letters.reply-question", max_age=int(LINK_MAX_AGE.total_seconds()), parse=int, compress=True
)


def link_token(question: ReplyQuestion) -> str:
    return QUESTION_LINK.make(question.pk)


def question_for_token(token: str) -> ReplyQuestion:
    try:
        question_id = QUESTION_LINK.read(token)
    except LinkError as error:
        raise QuestionLinkError(error.kind) from None
    question = (
        ReplyQuestion.objects.select_related("letter__case", "letter__supporter", "target")
        .filter(pk=question_id, letter__supporter__erased_at__isnull=True)
        .first()
    )
    if question is None:
        raise QuestionLinkError("no such question")
    return question


def answer_url(question: ReplyQuestion, answer: str = "", *, language: str = "") -> str:
    """The question's page (in ``language``), with one answer chosen when given."""
    url = url_in(language or settings.LANGUAGE_CODE, "replies:question", token=link_token(question))
    return f"{url}?answer={answer}" if answer else url


# --- the scheduler ----------------------------------------------------------------------


def _went_out_before(cutoff: datetime.datetime) -> Q:
    return Q(delivered_at__lte=cutoff) | Q(delivered_at__isnull=True, sent_at__lte=cutoff)


def ask_about_replies(*, now: datetime.datetime | None = None) -> int:
    """Create a question for every delivery due one and enqueue one email per letter.

    Due: out for PLUMA_REPLY_QUESTION_DAYS, no email reply routed to it yet, not itself a
    follow-up letter. Idempotent: one question per letter and official (unique), and the
    sending task claims each question once. Returns the number of letters enqueued
    (replies.tasks.send_reply_questions, one per letter).
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.PLUMA_REPLY_QUESTION_DAYS)
    asked = ReplyQuestion.objects.filter(letter=OuterRef("letter"), target=OuterRef("target"))
    replied = Reply.objects.filter(delivery=OuterRef("pk"), kind=Reply.Kind.REPLY)
    due = (
        Delivery.objects.filter(_went_out_before(cutoff), status__in=WENT_OUT)
        .filter(
            letter__status=Letter.Status.CONFIRMED,
            letter__supporter__erased_at__isnull=True,
            letter__follows_up__isnull=True,
            # An organizer invalidated its source: its writer's answer would count too.
            letter__invalidation__isnull=True,
        )
        .exclude(Exists(asked))
        .exclude(Exists(replied))
        .values_list("letter_id", "target_id")[:BATCH]
    )
    ReplyQuestion.objects.bulk_create(
        [ReplyQuestion(letter_id=letter_id, target_id=target_id) for letter_id, target_id in due],
        ignore_conflicts=True,
    )
    letter_ids = list(
        ReplyQuestion.objects.filter(asked_at__isnull=True)
        .values_list("letter_id", flat=True)
        .distinct()[:BATCH]
    )
    for letter_id in letter_ids:
        enqueue.send_reply_questions(letter_id)
    return len(letter_ids)


def remind_about_replies(*, now: datetime.datetime | None = None) -> int:
    """Enqueue one reminder per letter with questions asked long enough ago and unanswered
    (replies.tasks.send_reply_reminder); returns how many letters."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.PLUMA_REPLY_REMINDER_DAYS)
    letter_ids = list(
        ReplyQuestion.objects.filter(
            asked_at__lte=cutoff, answered_at__isnull=True, reminded_at__isnull=True
        )
        .values_list("letter_id", flat=True)
        .distinct()[:BATCH]
    )
    for letter_id in letter_ids:
        enqueue.send_reply_reminder(letter_id)
    return len(letter_ids)


def _claim(*, letter_id: int, field: str, pending: Q, now: datetime.datetime) -> list[int]:
    """Stamp ``field`` on the letter's pending questions under a row lock; their ids."""
    with transaction.atomic():
        ids = list(
            ReplyQuestion.objects.select_for_update(skip_locked=True)
            .filter(pending, letter_id=letter_id, letter__supporter__erased_at__isnull=True)
            .values_list("pk", flat=True)
        )
        ReplyQuestion.objects.filter(pk__in=ids).update(**{field: now})
    return ids


def send_reply_questions(*, letter_id: int, reminder: bool = False) -> int:
    """Email the supporter the letter's unasked questions (or its one reminder).

    Each question is asked once and reminded at most once: the stamp is taken before
    sending, and given back only if sending raises (so the task's retry can try again).
    Returns how many questions the email carried.
    """
    now = timezone.now()
    if reminder:
        field = "reminded_at"
        pending = Q(asked_at__isnull=False, answered_at__isnull=True, reminded_at__isnull=True)
    else:
        field, pending = "asked_at", Q(asked_at__isnull=True)
    ids = _claim(letter_id=letter_id, field=field, pending=pending, now=now)
    if not ids:
        return 0
    questions = list(
        ReplyQuestion.objects.filter(pk__in=ids)
        .select_related("letter__case", "letter__supporter", "target")
        .order_by("pk")
    )
    letter = questions[0].letter
    supporter = letter.supporter
    language = supporter.language
    try:
        send_template(
            template="replies/email/question",
            to=supporter.email,
            language=language,
            context={
                "supporter": supporter,
                "letter": letter,
                "case": letter.case,
                "reminder": reminder,
                "questions": [
                    {
                        "target": question.target,
                        "links": [
                            (label, answer_url(question, value, language=language))
                            for value, label in ANSWERS
                        ],
                    }
                    for question in questions
                ],
            },
        )
    except Exception:
        ReplyQuestion.objects.filter(pk__in=ids).update(**{field: None})
        raise
    return len(ids)


# --- answers ----------------------------------------------------------------------------


def answer_question(*, question: ReplyQuestion, answer: str) -> ReplyQuestion:
    """Record (or change) the supporter's answer."""
    if answer not in Answer.values or not answer:
        raise ValueError(f"Unknown answer {answer!r}")
    now = timezone.now()
    ReplyQuestion.objects.filter(pk=question.pk).update(answer=answer, answered_at=now)
    question.answer, question.answered_at = answer, now
    return question


def upload_postal_reply(*, question: ReplyQuestion, content: bytes) -> str:
    """Keep a photo or PDF of a postal reply for an organizer's review; "" or why not.

    The type is read from the content. The answer becomes "by post".
    """
    kind, why = attachments.check(
        content,
        allowed=attachments.UPLOAD_TYPES,
        max_bytes=settings.PLUMA_REPLY_ATTACHMENT_MAX_BYTES,
    )
    if why:
        return why
    question.upload.save("reply", ContentFile(content), save=False)
    question.upload_content_type = kind
    question.upload_state = Review.WAITING
    question.uploaded_at = question.answered_at = timezone.now()
    question.answer = Answer.BY_POST
    question.save(
        update_fields=[
            "upload",
            "upload_content_type",
            "upload_state",
            "uploaded_at",
            "answer",
            "answered_at",
        ]
    )
    return ""


def review_upload(*, question: ReplyQuestion, accepted: bool, user: User | None = None) -> bool:
    """waiting → accepted or rejected, by an organizer."""
    state = Review.ACCEPTED if accepted else Review.REJECTED
    moved = ReplyQuestion.objects.filter(pk=question.pk, upload_state=Review.WAITING).update(
        upload_state=state, reviewed_at=timezone.now(), reviewed_by=user
    )
    if moved:
        question.upload_state = state
    return bool(moved)


# --- the follow-up letter ---------------------------------------------------------------


def can_follow_up(question: ReplyQuestion) -> bool:
    """A "no", no follow-up written yet, and a case still taking letters."""
    return (
        question.answer == Answer.NO
        and question.follow_up_letter_id is None
        and question.letter.case.is_open
    )


def follow_up_text(question: ReplyQuestion) -> tuple[str, str]:
    """The pre-filled subject and body, in the official's language."""
    letter, target = question.letter, question.target
    language = target.language if target.language in FOLLOW_UP_TEXTS else "en"
    subject, body = FOLLOW_UP_TEXTS[language]
    sent = letter.confirmed_at or letter.created_at
    with translation.override(language):
        date = formats.date_format(timezone.localtime(sent), "DATE_FORMAT")
    values = placeholder_values(target=target, writer=letter, case=letter.case)
    # Date and title first: fill_placeholders knows only the letter placeholders.
    subject, body = (
        text.replace("{date}", date).replace("{title}", letter.case.title)
        for text in (subject, body)
    )
    return fill_placeholders(subject, values), fill_placeholders(body, values)


def write_follow_up(*, question: ReplyQuestion, subject: str, body: str) -> Letter | None:
    """Write and queue the follow-up letter to the same official; at most one per question.

    The questionnaire link already proves the supporter's address, so the letter is
    confirmed at once and delivered like any letter. None if it may not be written.
    """
    with transaction.atomic():
        locked = (
            ReplyQuestion.objects.select_for_update()
            .select_related("letter__case", "letter__supporter", "target")
            .get(pk=question.pk)
        )
        if not can_follow_up(locked):
            return None
        letter = Letter.objects.create(
            case=locked.letter.case,
            supporter=locked.letter.supporter,
            # Signed as the letter it follows up was.
            name=locked.letter.name,
            city=locked.letter.city,
            country=locked.letter.country,
            language=locked.target.language or locked.letter.language,
            subject=subject.strip()[:200],
            body=body.strip(),
            personal_share=100,
        )
        letter.targets.set([locked.target])
        ReplyQuestion.objects.filter(pk=locked.pk).update(follow_up_letter=letter)
        # A second letter to the same official, on purpose: one per unanswered letter.
        queue_letter(letter=letter, once_per_official=False)
    question.follow_up_letter = letter
    logger.info("Follow-up letter %s written for reply question %s", letter.pk, question.pk)
    return letter
