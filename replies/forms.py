"""Input validation for the questionnaire pages and the replies inbox."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.models import Target, UrgentAction
from campaigns.validators import validate_one_line, validate_plain_text

from .models import ReplyQuestion

MAX_FOLLOW_UP_CHARS = 5000


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        choices=[(v, label) for v, label in ReplyQuestion.Answer.choices if v],
        error_messages={"invalid_choice": _("Choose one of the answers.")},
    )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("A photo or PDF of the letter you received"),
        error_messages={"required": _("Choose a file to send.")},
    )


class FollowUpForm(forms.Form):
    # The subject becomes an email header: one line.
    subject = forms.CharField(label=_("Subject"), max_length=200, validators=[validate_one_line])
    body = forms.CharField(
        label=_("Your letter"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=MAX_FOLLOW_UP_CHARS,
        validators=[validate_plain_text],
    )


class PublishForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary for the case page"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_(
            "What the public and the supporters who wrote will read, for example: "
            "“The Governor's office answered on 12 May and promised protection.” "
            "Leave out the names of supporters."
        ),
    )


class LinkForm(forms.Form):
    case = forms.ModelChoiceField(label=_("Case"), queryset=UrgentAction.objects.all())
    target = forms.ModelChoiceField(
        label=_("Official (optional)"), queryset=Target.objects.all(), required=False
    )
