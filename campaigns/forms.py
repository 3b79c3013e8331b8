from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .models import UrgentAction


class UrgentActionForm(WagtailAdminModelForm):
    deadline_reason = forms.CharField(
        label=_("Why the deadline changes"),
        required=False,
        max_length=300,
        help_text=_("Kept in the case's deadline history when you move the deadline."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == UrgentAction.Status.CLOSED and not cleaned.get("outcome_kind"):
            self.add_error("outcome_kind", _("Choose an outcome to close the case."))
        if cleaned.get("status") != UrgentAction.Status.CLOSED and cleaned.get("outcome_kind") in (
            UrgentAction.OutcomeKind.GOOD_NEWS,
            UrgentAction.OutcomeKind.NO_FURTHER_ACTION,
        ):
            self.add_error("status", _("A case with a final outcome must be closed."))
        return cleaned
