"""What reaches the logs: never a token of a supporter's link, never a raw control character.

A confirmation, data or unsubscribe link acts for whoever holds it, and access logs are read
by more people, and kept longer, than a supporter's inbox: a token there is a key left on
the table. And a request path or header with an encoded CR/LF in it would, once decoded,
write a line of the attacker's choosing into the log. Every handler in `LOGGING` runs this
filter, the web server's access log included (granian's `granian.access` logger, which
Django's logging set-up takes over in each worker), so both hold for every line.
"""

from __future__ import annotations

import logging
import re
import traceback

MASK = "[token]"

# Django's signed values, which every link of Pluma's carries (campaigns/links.py):
# base64url parts joined by ':' (percent-encoded by some clients), the last one the
# signature, 27 or more characters; a compressed payload starts with a dot.
SIGNED = re.compile(
    r"(?<![A-Za-z0-9_.-])\.?[A-Za-z0-9_-]+(?:(?::|%3[Aa])[A-Za-z0-9_-]+)*(?::|%3[Aa])[A-Za-z0-9_-]{27,}"
)
# Whatever stands where a link's token goes (see the URLconf's <token>s), genuine or not:
# a damaged token is still most of a key. After /confirm/, all that follows (the admin's
# password reset link is /confirm/<user>/<token>/).
TOKEN_ROUTE = re.compile(
    r"(/(?:confirm/(?=[^?#\s\"'])|(?:subscription|unsubscribe|open|question)/))"
    r"((?<=confirm/)[^?#\s\"']+|[^/?#\s\"']+)",
    re.IGNORECASE,
)
# Any other long random-looking run (upper and lower case and digits, 20 or more): a
# secret from secrets.token_urlsafe, a key in a query string. Slugs, hex ids and UUIDs
# have no capitals and keep their place in the log.
RANDOM = re.compile(
    r"(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*[A-Z])(?=[A-Za-z0-9_-]*[a-z])(?=[A-Za-z0-9_-]*[0-9])"
    r"[A-Za-z0-9_-]{20,}"
)
# C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match[0]
    if char in NAMED:
        return NAMED[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def mask_tokens(text: str) -> str:
    text = SIGNED.sub(MASK, text)
    text = TOKEN_ROUTE.sub(lambda m: m[1] + (m[2] if m[2] == MASK else MASK), text)
    return RANDOM.sub(MASK, text)


def clean(text: str) -> str:
    """One log line: tokens masked, control characters written as escapes."""
    return CONTROL.sub(_escape, mask_tokens(text))


class SafeLogFilter(logging.Filter):
    """Rewrites each record's message as `clean` makes it; a traceback keeps its lines
    but loses its tokens. Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_pluma_clean", False):  # two handlers, one record
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: log what there is, not nothing
            message = f"{record.msg!s} {record.args!r}"
        record.msg, record.args = clean(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = mask_tokens(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_tokens(record.stack_info)
        record._pluma_clean = True
        return True
