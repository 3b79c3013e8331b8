"""Every write of replies with side effects: receiving, routing, the inbox, the questionnaire.

How a reply travels: inbound.receive_message stores the raw message fast and once and
enqueues replies.tasks.record_reply; routing.record_reply files it in the inbox or in
quarantine; inbox.publish_reply puts it on the case page and tells the supporters who
wrote. questionnaire asks those supporters "did you get a reply?". Callers use the names
re-exported here.
"""

from .inbound import fingerprint, receive_message, recipient_from_headers
from .inbox import announce_reply, link_reply, mark_reply_read, publish_reply, readers_of
from .questionnaire import (
    ANSWERS,
    QuestionLinkError,
    answer_question,
    answer_url,
    ask_about_replies,
    can_follow_up,
    follow_up_text,
    link_token,
    question_for_token,
    remind_about_replies,
    review_upload,
    send_reply_questions,
    upload_postal_reply,
    write_follow_up,
)
from .routing import is_automatic, own_words, record_reply, route, sanitise_html

__all__ = [
    "ANSWERS",
    "QuestionLinkError",
    "announce_reply",
    "answer_question",
    "answer_url",
    "ask_about_replies",
    "can_follow_up",
    "fingerprint",
    "follow_up_text",
    "is_automatic",
    "link_reply",
    "link_token",
    "mark_reply_read",
    "own_words",
    "publish_reply",
    "question_for_token",
    "readers_of",
    "receive_message",
    "recipient_from_headers",
    "record_reply",
    "remind_about_replies",
    "review_upload",
    "route",
    "sanitise_html",
    "send_reply_questions",
    "upload_postal_reply",
    "write_follow_up",
]
