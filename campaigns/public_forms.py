"""What every public form shares in its form class and its view (campaigns/defences.py).

`DefendedForm` adds the honeypot and the start time to a form; `send_back` returns a
refused post's form, filled in as it was, with a fresh start time and one line saying
why; `too_many` is the honest answer to a client over its limit. Views of every app use
these, so the same defences answer the same way on every form.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from . import defences

REFUSALS = {
    defences.Refusal.CROSS_SITE: _(
        "Your browser did not say that this form came from this site, so nothing was sent. "
        "Please check it and send it again."
    ),
    # Browser autofill is as fast as a script: nothing was stored, so say so plainly.
    defences.Refusal.TOO_FAST: _(
        "Nothing was sent yet: please check what you typed and send the form again."
    ),
}

F = TypeVar("F", bound=forms.Form)

# How long a client over its limit is asked to wait (the limits count per hour).
RETRY_AFTER_SECONDS = 3600


class DefendedForm(forms.Form):
    """A public form's defences as fields: the start time (hidden) and a honeypot text box
    people never see (the template hides it: campaigns/_defences.html)."""

    started = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            # Made now: on a cached page, when the page was rendered.
            self.initial.setdefault("started", defences.form_started_token())

    def screen(
        self, request: HttpRequest, *, scope: str, rate: str | None = None, email: str = ""
    ) -> defences.Screening:
        """Screen the post this (valid) form was bound to."""
        return defences.screen(
            request,
            scope=scope,
            rate=rate,
            honeypot=self.cleaned_data.get("website", ""),
            started=self.cleaned_data.get("started", ""),
            email=email,
        )


def send_back(form: F, refusal: str) -> F:
    """The refused form, ready to render again: what was typed, a fresh start time and
    the reason. The person sends it again; nothing was stored."""
    # A bound form's data is the request's QueryDict (immutable): change a copy.
    data = QueryDict(mutable=True)
    data.update(form.data)
    data[defences.STARTED_FIELD] = defences.form_started_token()
    form.data = data
    form.add_error(None, REFUSALS[refusal])
    return form


def too_many(request: HttpRequest, context: dict[str, Any] | None = None) -> HttpResponse:
    """429 with Retry-After: the person is told honestly that nothing counted."""
    response = render(request, "campaigns/too_many.html", context or {}, status=429)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
