"""Input validation for verifying a pack and recording a handover in the admin."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .models import HandoverPack
from .services import FINGERPRINT_RE


class VerifyForm(forms.Form):
    fingerprint = forms.CharField(
        label=_("Fingerprint"),
        max_length=200,
        help_text=_("The 64 characters printed on every page of the delivery pack."),
        error_messages={"required": _("Enter the fingerprint printed on the pack.")},
    )

    def clean_fingerprint(self) -> str:
        # People copy it from a PDF: forgive spaces, line breaks and capitals.
        value = "".join(self.cleaned_data["fingerprint"].split()).lower()
        if not FINGERPRINT_RE.match(value):
            raise forms.ValidationError(
                _("A fingerprint is 64 characters, the digits 0–9 and the letters a–f.")
            )
        return value


class HandoverAdminForm(WagtailAdminModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["count_delivered"].required = False
        self.fields["count_delivered"].help_text = _(
            "Leave empty to use the pack's count (or the case's count now)."
        )
        self.fields["pack"].queryset = HandoverPack.objects.filter(
            status=HandoverPack.Status.READY
        ).select_related("action")

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()  # Wagtail's form is untyped
        pack, action = cleaned.get("pack"), cleaned.get("action")
        if pack and action and pack.action_id != action.pk:
            self.add_error("pack", _("This pack belongs to another case."))
        return cleaned
