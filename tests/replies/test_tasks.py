"""replies' Celery entry points: the beat schedule names them, and the names letters gave
them still take what an older release queued."""

import pytest
from celery import current_app
from django.conf import settings
from django.core import mail

from letters import tokens
from replies import services, tasks
from replies.models import Reply, ReplyQuestion

from .replies_support import eml, send

OLD_NAMES = {
    "letters.tasks.record_reply": "replies.tasks.record_reply",
    "letters.tasks.send_reply_questions": "replies.tasks.send_reply_questions",
    "letters.tasks.send_reply_reminder": "replies.tasks.send_reply_reminder",
}


def test_the_beat_schedule_names_replies_tasks():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"replies.tasks.ask_about_replies", "replies.tasks.remind_about_replies"} <= scheduled
    assert all(name in current_app.tasks for name in scheduled if name.startswith("replies."))


@pytest.mark.parametrize(("old", "new"), OLD_NAMES.items())
def test_an_old_task_name_runs_with_the_options_of_the_new_one(old, new):
    before, after = current_app.tasks[old], current_app.tasks[new]
    assert before is not after
    for option in ("acks_late", "reject_on_worker_lost", "max_retries", "autoretry_for"):
        assert getattr(before, option, None) == getattr(after, option, None), option


@pytest.mark.django_db
def test_a_reply_queued_under_the_old_name_is_filed(letter):
    delivery = send(letter)
    stored, _created = services.receive_message(
        raw=eml("outlook_reply.eml", delivery),
        envelope_recipient=tokens.reply_address(delivery.pk),
    )
    assert current_app.tasks["letters.tasks.record_reply"](stored.pk) == Reply.Kind.REPLY
    assert Reply.objects.get().delivery == delivery


@pytest.mark.django_db
def test_questions_queued_under_the_old_names_are_sent_once(letter):
    delivery = send(letter)
    ReplyQuestion.objects.create(letter=delivery.letter, target=delivery.target)
    assert current_app.tasks["letters.tasks.send_reply_questions"](letter.pk) == 1
    assert tasks.send_reply_questions(letter.pk) == 0
    assert len(mail.outbox) == 1
