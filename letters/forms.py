"""Input validation for writing letters; what is written, and to whom, lives in composing."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from campaigns.models import Supporter, UrgentAction
from campaigns.public_forms import DefendedForm
from campaigns.validators import (
    MAX_SUPPORTER_NAME,
    clean_supporter_name,
    validate_one_line,
    validate_plain_text,
    validate_supporter_name,
)

from .services import composing

MAX_SUBJECT = 200
MAX_BODY = 6000
MIN_BODY = 20

# The same words as the signing form's box, so a supporter agrees to one thing.
CONSENT_LABEL = _("Yes, email me updates about this case.")

# Names appear in the From header of every letter and in exports; their rules, and those
# of one line (a subject becomes an email header) or several of text, are shared with
# the signing form: campaigns/validators.py.


class ChooseForm(forms.Form):
    """Whom to write to: the supporter's country (for the embassy) and the officials.

    Submitted with GET from the case page, so the page's HTML is the same for everyone.
    """

    country = CountryField(blank_label="—").formfield(
        label=_("Your country"),
        error_messages={
            "invalid_choice": _("Choose your country from the list."),
            "required": _("Choose your country: we add the embassy in your country."),
        },
    )
    targets = forms.TypedMultipleChoiceField(
        label=_("Write to"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one official to write to."),
            "invalid_choice": _("One of the officials you chose is not on this case."),
        },
    )

    def __init__(self, *args, action: UrgentAction, **kwargs):
        self.action = action
        self.choosable = composing.choosable_targets(action)
        kwargs.setdefault(
            "initial",
            {"targets": [t.pk for t, tier in self.choosable if tier == "primary"]},
        )
        super().__init__(*args, **kwargs)
        self._targets_field.choices = [(t.pk, str(t)) for t, _tier in self.choosable]
        self.fields["country"].widget.attrs["autocomplete"] = "country"

    @property
    def _targets_field(self) -> forms.TypedMultipleChoiceField:
        # self.fields holds a copy of each declared field, typed as a plain Field.
        return cast(forms.TypedMultipleChoiceField, self.fields["targets"])


class WriteForm(ChooseForm, DefendedForm):
    """The letter itself: who writes, and one subject and body per letter language.

    The text fields depend on the chosen targets (one pair per language group, named
    subject_<language> and body_<language>). A group the page did not show (the country
    or the choice changed) starts from the sample, so nothing is asked that was not seen.
    """

    name = forms.CharField(
        label=_("Your name"),
        validators=[validate_supporter_name],
        widget=forms.TextInput(attrs={"maxlength": MAX_SUPPORTER_NAME}),
    )
    email = forms.EmailField(
        label=_("Your email"),
        max_length=254,
        help_text=_("Officials never see it: we send your letter from our address."),
        error_messages={"invalid": _("Enter an email address like ana@example.org.")},
    )
    city = forms.CharField(
        label=_("Your city (optional)"),
        max_length=100,
        required=False,
        validators=[validate_one_line],
    )
    also_sign = forms.BooleanField(label=_("Also sign the petition"), required=False)
    # Separate from the letter and unticked: writing is not agreeing to hear from us.
    consent = forms.BooleanField(label=CONSENT_LABEL, required=False)

    def __init__(
        self,
        data=None,
        *,
        action: UrgentAction,
        language: str,
        offers_signing: bool = False,
        initial: dict | None = None,
    ):
        choosable = {t.pk: t for t, _tier in composing.choosable_targets(action)}
        source = data if data is not None else (initial or {})
        self.groups = self._groups(action, choosable, source, language)
        if data is not None:
            data = data.copy()
            for group in self.groups:
                sample = group.sample
                if f"body_{group.language}" not in data:
                    data[f"subject_{group.language}"] = sample.subject
                    data[f"body_{group.language}"] = sample.body
        initial = dict(initial or {})
        initial.setdefault("also_sign", offers_signing)
        super().__init__(data, action=action, initial=initial)
        self.fields["country"].widget = forms.HiddenInput()
        self.fields["targets"].widget = forms.MultipleHiddenInput()
        self.fields["targets"].widget.choices = self._targets_field.choices
        if not offers_signing:
            del self.fields["also_sign"]
        for group in self.groups:
            self.fields[f"subject_{group.language}"] = forms.CharField(
                label=_("Subject"),
                max_length=MAX_SUBJECT,
                initial=group.sample.subject,
                validators=[validate_one_line],
            )
            self.fields[f"body_{group.language}"] = forms.CharField(
                label=_("Your letter"),
                min_length=MIN_BODY,
                max_length=MAX_BODY,
                initial=group.sample.body,
                widget=forms.Textarea(attrs={"rows": 16}),
                validators=[validate_plain_text],
                error_messages={
                    "min_length": _("Your letter is too short to send."),
                    "max_length": _(
                        "Please shorten your letter to %(limit_value)d characters "
                        "(it has %(show_value)d)."
                    ),
                },
            )
        for field_name, field in self.fields.items():
            if field_name not in ("country", "targets"):
                field.error_messages["required"] = _("Please fill in this field.")
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["city"].widget.attrs["autocomplete"] = "address-level2"

    @staticmethod
    def _groups(action, choosable, source, language) -> list[composing.LetterGroup]:
        getlist = getattr(source, "getlist", None)
        raw_ids = getlist("targets") if getlist else source.get("targets", [])
        ids = [int(pk) for pk in raw_ids if str(pk).isdigit()]
        targets = [choosable[pk] for pk in ids if pk in choosable]
        country = str(source.get("country") or "")
        embassy = action.embassy_for(country) if len(country) == 2 else None
        if embassy is not None and embassy.pk not in choosable:
            targets.append(embassy)
        return composing.group_by_language(
            action=action, targets=targets, supporter_language=language
        )

    def clean_name(self) -> str:
        return clean_supporter_name(self.cleaned_data["name"])

    def clean_city(self) -> str:
        return " ".join(self.cleaned_data.get("city", "").split())

    def texts(self) -> dict[str, composing.LetterText]:
        return {
            group.language: composing.LetterText(
                subject=" ".join(self.cleaned_data[f"subject_{group.language}"].split()),
                body=self.cleaned_data[f"body_{group.language}"],
            )
            for group in self.groups
        }

    def example_supporter(self) -> Supporter:
        """An unsaved supporter for the previews: what was typed, or a stand-in name."""
        data = self.data if self.is_bound else {}
        return Supporter(
            name=" ".join(str(data.get("name", "")).split()) or str(_("[your name]")),
            city=" ".join(str(data.get("city", "")).split()),
            country=str(data.get("country") or self.initial.get("country") or ""),
        )
