"""Celery entry points for replies and the questionnaire: ids in, one service call each.

Imported at the end of letters/tasks.py, so autodiscovery finds them and services can
reach them as letters.tasks.<name>.
"""

import smtplib

from anymail.exceptions import AnymailAPIError
from celery import shared_task

from . import questionnaire, replies

__all__ = [
    "ask_about_replies",
    "record_reply",
    "remind_about_replies",
    "send_reply_questions",
    "send_reply_reminder",
]

RELIABLE = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}
EMAIL_RETRIES = {
    "autoretry_for": (OSError, smtplib.SMTPException, AnymailAPIError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 6,
}


@shared_task(name="letters.tasks.record_reply", **RELIABLE)
def record_reply(inbound_id: int) -> str:
    return replies.record_reply(inbound_id=inbound_id).kind


@shared_task(name="letters.tasks.ask_about_replies", **RELIABLE)
def ask_about_replies() -> int:
    return questionnaire.ask_about_replies()


@shared_task(name="letters.tasks.remind_about_replies", **RELIABLE)
def remind_about_replies() -> int:
    return questionnaire.remind_about_replies()


@shared_task(name="letters.tasks.send_reply_questions", **EMAIL_RETRIES, **RELIABLE)
def send_reply_questions(letter_id: int) -> int:
    return questionnaire.send_reply_questions(letter_id=letter_id)


@shared_task(name="letters.tasks.send_reply_reminder", **EMAIL_RETRIES, **RELIABLE)
def send_reply_reminder(letter_id: int) -> int:
    return questionnaire.send_reply_questions(letter_id=letter_id, reminder=True)
