"""Celery entry points for replies and the questionnaire: ids in, one service call each.

Services enqueue these by name (replies/enqueue.py), never by importing this module.
"""

from celery import shared_task

from campaigns.retry import RELIABLE, SEND_RETRY

from . import services


@shared_task(name="replies.tasks.record_reply", **RELIABLE)
def record_reply(inbound_id: int) -> str:
    return services.record_reply(inbound_id=inbound_id).kind


@shared_task(name="replies.tasks.ask_about_replies", **RELIABLE)
def ask_about_replies() -> int:
    return services.ask_about_replies()


@shared_task(name="replies.tasks.remind_about_replies", **RELIABLE)
def remind_about_replies() -> int:
    return services.remind_about_replies()


@shared_task(name="replies.tasks.send_reply_questions", **SEND_RETRY, **RELIABLE)
def send_reply_questions(letter_id: int) -> int:
    return services.send_reply_questions(letter_id=letter_id)


@shared_task(name="replies.tasks.send_reply_reminder", **SEND_RETRY, **RELIABLE)
def send_reply_reminder(letter_id: int) -> int:
    return services.send_reply_questions(letter_id=letter_id, reminder=True)


# Messages queued under the names these tasks had in letters may still sit on the broker
# during an upgrade; these take them. They can go after the next release.
@shared_task(name="letters.tasks.record_reply", **RELIABLE)
def record_reply_by_old_name(inbound_id: int) -> str:
    return services.record_reply(inbound_id=inbound_id).kind


@shared_task(name="letters.tasks.send_reply_questions", **SEND_RETRY, **RELIABLE)
def send_reply_questions_by_old_name(letter_id: int) -> int:
    return services.send_reply_questions(letter_id=letter_id)


@shared_task(name="letters.tasks.send_reply_reminder", **SEND_RETRY, **RELIABLE)
def send_reply_reminder_by_old_name(letter_id: int) -> int:
    return services.send_reply_questions(letter_id=letter_id, reminder=True)
