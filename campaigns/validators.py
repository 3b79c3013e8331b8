"""What a supporter may type as their name, the same for every app that asks for it.

Names go into petition exports opened in spreadsheets, into the packs handed to officials,
and into the From header of every letter. So: no links (spam), no control characters
(header injection, invisible text), nothing a spreadsheet would run as a formula, and a
length that fits every place the name is shown. petitions and letters both ask for names
and may not import each other (DESIGN §3), so the rules live here, in campaigns.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_SUPPORTER_NAME = 120

# A scheme, "www." or a word directly followed by a common top-level domain.
URL_RE = re.compile(
    r"(://|www\.|\S\.(com|net|org|info|biz|ru|cn|xyz|top|io|ly|me|co|link|click|site|online)\b)",
    re.IGNORECASE,
)
# What spreadsheets take as the start of a formula.
FORMULA_START = ("=", "+", "-", "@")
# Control, format (zero-width, bidi overrides), surrogate, private-use and unassigned.
CONTROL_CATEGORIES = ("Cc", "Cf", "Cs", "Co", "Cn")
# Format characters that writing needs inside words: the zero-width non-joiner and joiner
# (Persian writes علی‌رضا with one; Devanagari and other Indic scripts choose a letter's
# shape with them) and the soft hyphen (where a long word may break). Between two letters
# or marks they are text; alone, doubled or at either end they can only hide something.
JOINERS = frozenset("\u200c\u200d\u00ad")


def _is_letter_or_mark(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LM"


def _joins_a_word(value: str, index: int) -> bool:
    return (
        0 < index < len(value) - 1
        and _is_letter_or_mark(value[index - 1])
        and _is_letter_or_mark(value[index + 1])
    )


def has_control_characters(value: str, *, allowed: str = "") -> bool:
    """Whether ``value`` holds a character of CONTROL_CATEGORIES that is not in ``allowed``
    and is not a joiner inside a word (JOINERS)."""
    return any(
        unicodedata.category(ch) in CONTROL_CATEGORIES
        and ch not in allowed
        and not (ch in JOINERS and _joins_a_word(value, index))
        for index, ch in enumerate(value)
    )


def validate_plain_text(value: str) -> None:
    """Text of several lines (a comment, a letter): line breaks and tabs, no other control."""
    if has_control_characters(value, allowed="\n\r\t"):
        raise ValidationError(
            _("This field cannot contain control characters."), code="control_characters"
        )


def validate_one_line(value: str) -> None:
    """One line (a postal code, a city, a subject): no control characters, CR and LF
    included, and no Unicode line or paragraph separator. These reach exports, postal
    addresses and email headers, where a line break starts a new line or a new header."""
    if has_control_characters(value) or any(
        unicodedata.category(ch) in ("Zl", "Zp") for ch in value
    ):
        raise ValidationError(
            _("This field must be one line without control characters."),
            code="control_characters",
        )


def validate_supporter_name(value: str) -> None:
    """Raise a ValidationError with the first rule the name breaks, if any."""
    if len(value) > MAX_SUPPORTER_NAME:
        # The form fields leave max_length to this validator, so the message is said once.
        raise ValidationError(
            _("Please shorten your name to %(limit_value)d characters."),
            code="max_length",
            params={"limit_value": MAX_SUPPORTER_NAME},
        )
    if has_control_characters(value):
        raise ValidationError(
            _("Your name cannot contain control characters."), code="control_characters"
        )
    if URL_RE.search(value):
        raise ValidationError(_("Your name cannot contain a web address."), code="url")
    if value.startswith(FORMULA_START):
        raise ValidationError(_("Your name cannot start with =, +, - or @."), code="formula")


def clean_supporter_name(value: str) -> str:
    """The name as stored: runs of spaces become one, none at either end."""
    return " ".join(value.split())
