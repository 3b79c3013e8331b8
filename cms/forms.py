"""Validation of the visitor's input on site pages."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from campaigns.models import Category, UrgentAction


class ActionFilterForm(forms.Form):
    """The filters of the case index; every field is optional."""

    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *Category.choices],
        error_messages={"invalid_choice": _("There is no category called “%(value)s”.")},
    )
    country = forms.ChoiceField(
        label=_("Country"),
        required=False,
        choices=lambda: [("", _("All countries")), *countries],
        error_messages={"invalid_choice": _("“%(value)s” is not a country code we know.")},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Open and closed")),
            (UrgentAction.Status.OPEN, _("Open")),
            (UrgentAction.Status.CLOSED, _("Closed")),
        ],
        error_messages={"invalid_choice": _("The status must be open or closed.")},
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("The page number must be a whole number.")},
    )

    def filter(self, pages):
        """Narrow a queryset of ActionPages to the chosen filters."""
        data = self.cleaned_data
        if data.get("category"):
            pages = pages.filter(action__category=data["category"])
        if data.get("country"):
            pages = pages.filter(action__country=data["country"].upper())
        if data.get("status"):
            pages = pages.filter(action__status=data["status"])
        return pages
