"""Per official: letters delivered, replies received, median days to the first reply."""

import datetime

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from letters.models import Delivery
from replies import services
from replies.models import Reply, ReplyQuestion
from replies.responsiveness import responsiveness
from replies.services import receive_message
from tests.factories import ActionTargetFactory, LetterFactory, TargetFactory, UrgentActionFactory

from .replies_support import eml, send

pytestmark = pytest.mark.django_db


def letter_to(case, target, *, sent_days_ago: float) -> Delivery:
    delivery = send(LetterFactory(case=case, targets=[target]))
    Delivery.objects.filter(pk=delivery.pk).update(
        sent_at=timezone.now() - datetime.timedelta(days=sent_days_ago)
    )
    delivery.refresh_from_db()
    return delivery


def reply_to(delivery: Delivery, *, days_after: float, name: str = "outlook_reply.eml") -> Reply:
    stored, _ = receive_message(raw=eml(name, delivery))
    reply = services.record_reply(inbound_id=stored.pk)
    Reply.objects.filter(pk=reply.pk).update(
        received_at=delivery.sent_at + datetime.timedelta(days=days_after)
    )
    return reply


@pytest.fixture
def answered(case, official):
    """Four letters to the official: two answered by email (after 2 and 6 days), one
    reported answered by post, one with no answer; an automatic answer counts for nothing."""
    fast, slow, by_post, silent = (letter_to(case, official, sent_days_ago=20) for _ in range(4))
    reply_to(fast, days_after=2)
    reply_to(fast, days_after=9, name="html_only_reply.eml")  # a second reply, same letter
    reply_to(slow, days_after=6)
    reply_to(silent, days_after=0.1, name="out_of_office.eml")
    question = ReplyQuestion.objects.create(letter=by_post.letter, target=official)
    services.answer_question(question=question, answer=ReplyQuestion.Answer.BY_POST)
    return official


def test_an_official_who_answered_counts_delivered_replied_and_the_median(case, answered):
    (row,) = responsiveness(case=case)
    assert (row.target, row.delivered, row.replied, row.median_days) == (answered, 4, 3, 4.0)
    assert row.reply_rate == 75


def test_an_official_who_never_answered_has_no_median(case):
    silent = TargetFactory(name="Silent Minister")
    ActionTargetFactory(action=case, target=silent)
    letter_to(case, silent, sent_days_ago=30)
    (row,) = responsiveness(case=case)
    assert (row.delivered, row.replied, row.median_days) == (1, 0, None)


def test_a_rejected_upload_does_not_count_as_a_reply(case, official):
    delivery = letter_to(case, official, sent_days_ago=20)
    ReplyQuestion.objects.create(
        letter=delivery.letter,
        target=official,
        answer=ReplyQuestion.Answer.BY_POST,
        upload_state=ReplyQuestion.Review.REJECTED,
    )
    assert responsiveness(case=case)[0].replied == 0


def test_the_case_table_counts_only_that_case_and_the_public_page_all(client, case, answered):
    other = UrgentActionFactory()
    letter_to(other, answered, sent_days_ago=3)
    assert responsiveness(case=other)[0].delivered == 1
    assert responsiveness()[0].delivered == 5

    html = render_to_string("replies/_responsiveness.html", {"action": case})
    assert "Mauricio Vila" in html and "75%" in html
    response = client.get("/replies/officials/")
    assert response.status_code == 200
    assert b"Mauricio Vila" in response.content
    assert client.get("/es/replies/officials/").status_code == 200


def test_the_public_page_takes_the_same_queries_whatever_the_number_of_letters(
    client, case, answered
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/replies/officials/").status_code == 200
        return len(captured)

    before = queries()
    other = TargetFactory(name="Another official")
    for _ in range(5):
        reply_to(letter_to(case, answered, sent_days_ago=10), days_after=1)
        reply_to(letter_to(UrgentActionFactory(), other, sent_days_ago=10), days_after=3)
    assert queries() == before
