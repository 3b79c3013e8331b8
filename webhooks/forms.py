"""Input validation for endpoints in the admin."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from campaigns.models import Event

from .services import check_url


class EndpointForm(WagtailAdminModelForm):
    """The events as boxes to tick; the URL checked as the sending will check it. The
    secret is never a field: it is made, and shown once, by the views."""

    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=Event.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["url"].help_text = _(
            "Where Pluma POSTs each event, signed (Standard Webhooks). https:// only."
        )

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        check_url(url)
        return url
