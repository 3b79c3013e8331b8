"""Admin forms: input validation only, with each message on the field it is about."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from wagtail.admin.forms import WagtailAdminModelForm

from .models import Category, Subscription, Target, UrgentAction
from .public_forms import DefendedForm
from .subscriptions import CONSENT_TEXT

# Outcomes that conclude a case; an open case may only show interim progress.
FINAL_OUTCOMES = (
    UrgentAction.OutcomeKind.GOOD_NEWS,
    UrgentAction.OutcomeKind.NO_FURTHER_ACTION,
    UrgentAction.OutcomeKind.DEADLINE_PASSED,
)


class UrgentActionForm(WagtailAdminModelForm):
    deadline_reason = forms.CharField(
        label=_("Why the deadline changes"),
        required=False,
        max_length=300,
        help_text=_("Kept in the case's deadline history when you move the deadline."),
    )

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        outcome_kind = cleaned.get("outcome_kind")
        issued_on, deadline = cleaned.get("issued_on"), cleaned.get("deadline")
        stored_status = self.instance.status if self.instance.pk else None

        if issued_on and deadline and deadline < issued_on:
            self.add_error("deadline", _("The deadline cannot be before the issue date."))
        elif (
            status == UrgentAction.Status.OPEN
            and stored_status != UrgentAction.Status.OPEN
            and deadline
            and deadline < timezone.localdate()
        ):
            # The nightly auto-close would close it again at once.
            self.add_error("deadline", _("To open the case, set a deadline today or later."))

        if status == UrgentAction.Status.CLOSED and not outcome_kind:
            self.add_error("outcome_kind", _("Choose an outcome to close the case."))
        elif status != UrgentAction.Status.CLOSED and outcome_kind in FINAL_OUTCOMES:
            self.add_error("status", _("A case with a final outcome must be closed."))

        if (
            stored_status in (UrgentAction.Status.OPEN, UrgentAction.Status.CLOSED)
            and status == UrgentAction.Status.DRAFT
        ):
            self.add_error("status", _("A case that has been opened cannot go back to draft."))
        return cleaned


class TargetForm(WagtailAdminModelForm):
    def clean(self):
        cleaned = super().clean()
        has_channel = any(cleaned.get(field) for field in ("email", "postal_address", "phone"))
        # An invalid email already has its own message.
        if not has_channel and "email" not in self.errors:
            self.add_error(
                "email", _("Give at least one contact channel: email, postal address or phone.")
            )
        if cleaned.get("kind") == Target.Kind.EMBASSY:
            message = _(
                "An embassy needs the country it represents and the country it is accredited to."
            )
            for field in ("represents_country", "accredited_to_country"):
                if not cleaned.get(field) and field not in self.errors:
                    self.add_error(field, message)
        return cleaned


class FollowUpForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "action" in self.fields:
            # Moving a follow-up to another case would break both cases' numbering.
            self.fields["action"].disabled = True

    def clean(self):
        cleaned = super().clean()
        action, new_deadline = cleaned.get("action"), cleaned.get("new_deadline")
        if action and new_deadline and new_deadline < action.issued_on:
            self.add_error(
                "new_deadline", _("The new deadline cannot be before the case's issue date.")
            )
        return cleaned


class HoldForm(forms.Form):
    """Why an organizer holds a case or an official (campaigns.holds)."""

    reason = forms.CharField(
        label=_("Why you hold it"),
        required=False,
        max_length=300,
        help_text=_("Kept with the hold, so others know why nothing goes out."),
    )


class DropHeldForm(forms.Form):
    """The confirmation step before a closed case's held letters are dropped."""

    reason = forms.CharField(label=_("Why you drop them"), required=False, max_length=300)
    confirm = forms.BooleanField(
        label=_("I understand: these letters will never be sent, and this cannot be undone.")
    )


# --- public forms (subscriptions, supporters' data) -------------------------------------


class SubscriptionChoicesForm(forms.Form):
    categories = forms.MultipleChoiceField(
        label=_("Categories"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose none to hear about every category."),
    )
    countries = forms.MultipleChoiceField(
        label=_("Countries"),
        choices=[],
        required=False,
        help_text=_("Choose none to hear about every country."),
    )
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=Subscription.Frequency.choices,
        initial=Subscription.Frequency.IMMEDIATE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["countries"].choices = list(countries)


class SubscribeForm(SubscriptionChoicesForm, DefendedForm):
    email = forms.EmailField(label=_("Your email"), max_length=254)
    agree = forms.BooleanField(label=CONSENT_TEXT)

    field_order = ["email", "categories", "countries", "frequency", "agree"]


class EmailForm(DefendedForm):
    email = forms.EmailField(label=_("Your email"), max_length=254)


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand: my name, email and letters will be removed and cannot come back.")
    )
