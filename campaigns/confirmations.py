"""Confirming from an email: one page with a button, one way to say a link does not work.

A signature, the letters written at once, and whatever else a supporter confirms from
their inbox is a `Confirmation` registered here at start-up by the app that owns it (as
privacy providers are). The one view (campaigns.views.confirm) shows its page on GET and
changes nothing, because mail scanners follow links; the button's POST confirms. Every
link problem (cut, expired, already used) gets the same page, with the owner's words.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from django.utils import formats, timezone
from django.utils.functional import Promise

from .links import LinkError
from .models import UrgentAction


@dataclasses.dataclass(frozen=True)
class Pending:
    """What a confirmation page shows before the button is pressed."""

    action: UrgentAction
    # "Press the button to confirm your signature for UA 58/20: …"
    intro: str
    # One line each, e.g. the officials a letter goes to.
    items: Sequence[str] = ()
    # Extra sentences under the list ("This also confirms your signature").
    notes: Sequence[str | Promise] = ()


@dataclasses.dataclass(frozen=True)
class Confirmation:
    """One kind of thing a supporter confirms from a link.

    ``pending(token)`` reads the link and changes nothing; ``confirm(token)`` acts once
    and returns the URL to go to next. Both raise a campaigns.links.LinkError for a link
    that cannot be used. ``case_of(token)`` is the case a genuine token names, even an
    expired or used one, so the problem page can offer the way back; ``remedy`` is the
    template included there (a new-link form, a link to write again).
    """

    kind: str
    heading: str | Promise
    button: str | Promise
    pending: Callable[[str], Pending]
    confirm: Callable[[str], str]
    case_of: Callable[[str], UrgentAction | None]
    remedy: str = ""
    remedy_context: Callable[[], dict[str, Any]] = dict
    # Whether a used link still gets the remedy (a new link may still be needed).
    remedy_when_used: bool = True
    # What the problem page says, per LinkError kind ("expired", "used", "invalid",
    # "not_counted", and "closed", whose text may name the day with %(closed_on)s).
    problems: dict[str, str | Promise] = dataclasses.field(default_factory=dict)


_registry: dict[str, Confirmation] = {}


def register(confirmation: Confirmation) -> Confirmation:
    """Add a kind of confirmation; registering a kind again replaces it (ready() may run
    twice)."""
    _registry[confirmation.kind] = confirmation
    return confirmation


def confirmation(kind: str) -> Confirmation:
    return _registry[kind]


def problem_context(confirmation: Confirmation, token: str, error: LinkError) -> dict[str, Any]:
    action = confirmation.case_of(token)
    text = confirmation.problems.get(error.kind, "")
    if error.kind == "closed" and action is not None and action.closed_at is not None:
        closed_on = formats.date_format(timezone.localtime(action.closed_at), "DATE_FORMAT")
        text = str(text) % {"closed_on": closed_on}
    return {
        "action": action,
        "kind": error.kind,
        "text": text,
        "remedy": confirmation.remedy
        if action is not None
        and action.is_open
        and (error.kind != "used" or confirmation.remedy_when_used)
        else "",
        **confirmation.remedy_context(),
    }
