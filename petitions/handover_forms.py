"""Input validation for verifying a pack."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .handovers import FINGERPRINT_RE


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
