"""Celery entry points for replies and the questionnaire: ids in, one service call each.

Services enqueue these by name (replies/enqueue.py), never by importing this module.
"""

import smtplib

from anymail.exceptions import AnymailAPIError
from celery import shared_task

from . import services

RELIABLE = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}
EMAIL_RETRIES = {
    "autoretry_for": (OSError, smtplib.SMTPException, AnymailAPIError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 6,
}


@shared_task(name="replies.tasks.record_reply", **RELIABLE)
def record_reply(inbound_id: int) -> str:
    return services.record_reply(inbound_id=inbound_id).kind


@shared_task(name="replies.tasks.ask_about_replies", **RELIABLE)
def ask_about_replies() -> int:
    return services.ask_about_replies()


@shared_task(name="replies.tasks.remind_about_replies", **RELIABLE)
def remind_about_replies() -> int:
    return services.remind_about_replies()


@shared_task(name="replies.tasks.send_reply_questions", **EMAIL_RETRIES, **RELIABLE)
def send_reply_questions(letter_id: int) -> int:
    return services.send_reply_questions(letter_id=letter_id)


@shared_task(name="replies.tasks.send_reply_reminder", **EMAIL_RETRIES, **RELIABLE)
def send_reply_reminder(letter_id: int) -> int:
    return services.send_reply_questions(letter_id=letter_id, reminder=True)


# Messages queued under the names these tasks had in letters may still sit on the broker
# during an upgrade; these take them. They can go after the next release.
@shared_task(name="letters.tasks.record_reply", **RELIABLE)
def record_reply_by_old_name(inbound_id: int) -> str:
    return services.record_reply(inbound_id=inbound_id).kind


@shared_task(name="letters.tasks.send_reply_questions", **EMAIL_RETRIES, **RELIABLE)
def send_reply_questions_by_old_name(letter_id: int) -> int:
    return services.send_reply_questions(letter_id=letter_id)


@shared_task(name="letters.tasks.send_reply_reminder", **EMAIL_RETRIES, **RELIABLE)
def send_reply_reminder_by_old_name(letter_id: int) -> int:
    return services.send_reply_questions(letter_id=letter_id, reminder=True)
