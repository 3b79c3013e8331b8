"""Input validation for signing, reporting an action and solidarity messages; the rules of
what is signed live in services."""

import copy
import functools
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

# django-countries' fields.pyi leaves LazyTypedChoiceField out (it is in fields.py).
from django_countries.fields import (  # type: ignore[attr-defined]
    CountryField,
    LazyTypedChoiceField,
)

from campaigns import defences
from campaigns.public_forms import DefendedForm
from campaigns.validators import (
    MAX_SUPPORTER_NAME,
    clean_supporter_name,
    validate_one_line,
    validate_plain_text,
    validate_supporter_name,
)

from .models import FieldMode, Petition, ReportedAction

# The rules for names (links, control characters, formulas, length) and for one line or
# several of text are shared with letters: campaigns/validators.py.

# Shown next to the box and stored word for word in Consent.text when ticked.
CONSENT_LABEL = _("Yes, email me updates about this case.")
SHARE_NAME_LABEL = _(
    "Yes, pass my name and country on to the authorities with the petition (never my email)."
)


@functools.cache
def _country_codes() -> frozenset[str]:
    return frozenset(code for code, _name in countries)


class CountryChoiceField(LazyTypedChoiceField):
    """Checks a posted country by set lookup.

    The stock check walks the ~250 choices, translating and sorting their names, on every
    POST: a few milliseconds of CPU per signature. The choices shown are unchanged.
    """

    def valid_value(self, value) -> bool:
        return str(value) in _country_codes()


class SignatureForm(DefendedForm):
    """Every field a signing form can have. Build forms with `signature_form`, which leaves
    out or requires the optional ones as the petition asks."""

    name = forms.CharField(
        label=_("Your name"),
        validators=[validate_supporter_name],
        widget=forms.TextInput(attrs={"maxlength": MAX_SUPPORTER_NAME}),
    )
    email = forms.EmailField(
        label=_("Your email"),
        max_length=254,
        error_messages={"invalid": _("Enter an email address like ana@example.org.")},
    )
    # The model field's form field keeps country names lazy, so they follow the language.
    country = CountryField(blank_label="—").formfield(
        choices_form_class=CountryChoiceField,
        label=_("Your country"),
        error_messages={"invalid_choice": _("Choose your country from the list.")},
    )
    postal_code = forms.CharField(
        label=_("Postal code"), max_length=20, validators=[validate_one_line]
    )
    city = forms.CharField(label=_("City"), max_length=100, validators=[validate_one_line])
    comment = forms.CharField(
        label=_("Comment"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_plain_text],
    )
    consent = forms.BooleanField(label=CONSENT_LABEL, required=False)
    share_name = forms.BooleanField(label=SHARE_NAME_LABEL, required=False)
    # Filled in by the page's script: the utm_source of the visit.
    source = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    # The start time and the honeypot come with DefendedForm (campaigns/defences.py);
    # `altcha` carries the challenge's solution when the case asks for one.
    altcha = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    # Whether the petition asks for the proof-of-work challenge (set by signature_form).
    requires_challenge = False

    def clean_name(self) -> str:
        return clean_supporter_name(self.cleaned_data["name"])

    def clean(self) -> dict[str, Any]:
        super().clean()  # Form.clean() gives back cleaned_data; the stub allows None
        cleaned = self.cleaned_data
        # Checked last, so a solution is spent only on an otherwise valid form. An honest
        # browser always sends one; a missing or wrong one is an error shown at the top
        # (the field itself is hidden).
        if (
            self.requires_challenge
            and not self.errors
            and not defences.is_valid_solution(cleaned.get("altcha", ""))
        ):
            raise forms.ValidationError(
                _(
                    "The automatic anti-spam check did not finish. Please wait a "
                    "moment and send the form again."
                ),
                code="challenge",
            )
        return cleaned

    def clean_source(self) -> str:
        # utm_source is attacker-controlled; keep it short and printable.
        source = self.cleaned_data.get("source", "")
        return "".join(ch for ch in source if ch.isprintable())[:100]


OPTIONAL_FIELDS = ("postal_code", "city", "comment")


def signature_form(petition: Petition | None, *args, **kwargs) -> SignatureForm:
    """A signing form for `petition` (None: no optional fields, no challenge); other
    arguments go to the form as to any Django form."""
    modes = tuple(getattr(petition, f"{name}_field", FieldMode.OFF) for name in OPTIONAL_FIELDS)
    requires_challenge = bool(petition and petition.requires_challenge)
    return _form_class(modes, requires_challenge)(*args, **kwargs)


class _FinishedFields(dict):
    """The fields of a configured signing form class, handed to each form as they are.

    Django deep-copies a form class's base_fields for every form, so that one request
    cannot change the fields the next one sees. A configured signing form's fields are
    finished when its class is built (_form_class) and nothing changes them afterwards,
    so each form gets its own dict of the same field objects. The copies were a tenth of
    the CPU a sign-up costs the web process (bench/README.md). Code that wants to change a
    field for one form must copy it first.
    """

    def __deepcopy__(self, memo):
        return dict(self)


@functools.cache
def _form_class(modes: tuple[str, ...], requires_challenge: bool) -> type[SignatureForm]:
    """SignatureForm with the optional fields in `modes` (a FieldMode each, in the order
    of OPTIONAL_FIELDS) left out or required: one class per combination, built once."""
    fields = copy.deepcopy(SignatureForm.base_fields)
    for name, mode in zip(OPTIONAL_FIELDS, modes, strict=True):
        if mode == FieldMode.OFF:
            del fields[name]
        else:
            fields[name].required = mode == FieldMode.REQUIRED
    for field in fields.values():
        if not isinstance(field.widget, forms.HiddenInput):
            field.error_messages["required"] = _("Please fill in this field.")
    for name in ("name", "email", "country"):
        fields[name].widget.attrs["autocomplete"] = name

    class ConfiguredSignatureForm(SignatureForm):
        pass

    ConfiguredSignatureForm.requires_challenge = requires_challenge
    ConfiguredSignatureForm.base_fields = _FinishedFields(fields)
    return ConfiguredSignatureForm


EMAIL_ERRORS = {
    "invalid": _("Enter an email address like ana@example.org."),
    "required": _("Please fill in this field."),
}


class ResendForm(DefendedForm):
    email = forms.EmailField(label=_("Your email"), max_length=254, error_messages=EMAIL_ERRORS)


# --- reported actions and solidarity messages -----------------------------------------


class ReportActionForm(DefendedForm):
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


class SolidarityMessageForm(DefendedForm):
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
