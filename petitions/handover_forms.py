"""Input validation for verifying a pack, reporting an action and solidarity messages."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from campaigns.validators import (
    MAX_SUPPORTER_NAME,
    clean_supporter_name,
    validate_supporter_name,
)

from .forms import validate_plain_text
from .handovers import FINGERPRINT_RE
from .models import ReportedAction

EMAIL_ERRORS = {
    "invalid": _("Enter an email address like ana@example.org."),
    "required": _("Please fill in this field."),
}


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


class ReportActionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What did you do?"),
        choices=ReportedAction.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what you did."),
            "invalid_choice": _("Choose what you did from the list."),
        },
    )
    email = forms.EmailField(
        label=_("Your email"),
        max_length=254,
        help_text=_("So each action is counted once; we send nothing."),
        error_messages=EMAIL_ERRORS,
    )


class SolidarityMessageForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"),
        validators=[validate_supporter_name],
        widget=forms.TextInput(attrs={"maxlength": MAX_SUPPORTER_NAME}),
        error_messages={"required": _("Please fill in this field.")},
    )
    email = forms.EmailField(label=_("Your email"), max_length=254, error_messages=EMAIL_ERRORS)
    country = CountryField(blank_label="—").formfield(
        label=_("Your country"),
        error_messages={
            "invalid_choice": _("Choose your country from the list."),
            "required": _("Please fill in this field."),
        },
    )
    message = forms.CharField(
        label=_("Your message"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 500}),
        validators=[validate_plain_text],
        help_text=_("A few words of support. An organizer reads every message first."),
        error_messages={
            "required": _("Please write a message."),
            "max_length": _("Please keep your message under %(limit_value)d characters."),
        },
    )

    def clean_name(self) -> str:
        return clean_supporter_name(self.cleaned_data["name"])
