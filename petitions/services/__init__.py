"""Every write of petitions with side effects, by what it does.

signing: sign, confirm, resend a link, and the confirmation emails' outbox; mail: those
emails, and telling the owner of a flagged signature that it cannot count; records: the
sign-up's one-statement write; paper: importing paper signatures; reports: offline
actions; solidarity: messages to the person at risk; exports: the streamed, logged CSV;
invalidation: an organizer's invalidation of a source, and its reversal.
"""

from . import exports, invalidation, records, solidarity
from .mail import send_already_signed, send_confirmation, tell_not_counted
from .paper import import_paper_signatures, paper_changed
from .reports import report_action
from .signing import (
    CONFIRMATION_BATCH,
    CONFIRMATION_LEASE,
    CONFIRMATION_OUTBOX,
    CONFIRMATIONS,
    MAX_LINKS,
    MAX_NOTICES,
    NEW_LINK,
    NOTICE_OUTBOX,
    SigningClosed,
    SignResult,
    answer_new_link_request,
    confirm_pending_signature,
    confirm_signature,
    dispatch_confirmations,
    due_confirmations,
    forget_uncounted,
    request_confirmation_dispatch,
    resend_confirmation,
    send_due_confirmations,
    send_due_notices,
    sign,
)

__all__ = [
    "CONFIRMATIONS",
    "CONFIRMATION_BATCH",
    "CONFIRMATION_LEASE",
    "CONFIRMATION_OUTBOX",
    "MAX_LINKS",
    "MAX_NOTICES",
    "NEW_LINK",
    "NOTICE_OUTBOX",
    "SignResult",
    "SigningClosed",
    "answer_new_link_request",
    "confirm_pending_signature",
    "confirm_signature",
    "dispatch_confirmations",
    "due_confirmations",
    "exports",
    "forget_uncounted",
    "import_paper_signatures",
    "invalidation",
    "paper_changed",
    "records",
    "report_action",
    "request_confirmation_dispatch",
    "resend_confirmation",
    "send_already_signed",
    "send_confirmation",
    "send_due_confirmations",
    "send_due_notices",
    "sign",
    "solidarity",
    "tell_not_counted",
]
