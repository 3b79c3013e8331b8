"""The other ways supporters act on a case: actions reported from offline, and messages of
solidarity to the person at risk."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from campaigns.models import Supporter, UrgentAction


class ReportedAction(models.Model):
    """An action a supporter took offline and told us about; once per person, case and kind."""

    class Kind(models.TextChoices):
        POSTED_LETTER = "posted_letter", _("I posted a letter")
        CALLED = "called", _("I called")
        SENT_CARD = "sent_card", _("I sent a card")

    action = models.ForeignKey(
        UrgentAction, on_delete=models.CASCADE, related_name="reported_actions"
    )
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reported action")
        verbose_name_plural = _("reported actions")
        constraints = [
            models.UniqueConstraint(
                fields=["supporter", "action", "kind"], name="one_reported_action_per_kind"
            )
        ]
        # Impact and the dashboard count a case's reports by kind and by day.
        indexes = [
            models.Index(fields=["action", "kind"], name="reported_action_case_kind"),
            models.Index(fields=["action", "reported_at"], name="reported_action_case_day"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} (UA {self.action.number})"


class SolidarityMessage(models.Model):
    """A short message to the person at risk or their family; shown only once approved."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for moderation")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    action = models.ForeignKey(
        UrgentAction,
        on_delete=models.CASCADE,
        related_name="solidarity_messages",
        verbose_name=_("case"),
    )
    supporter = models.ForeignKey(
        Supporter, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=120)
    country = CountryField(_("country"))
    message = models.TextField(_("message"), max_length=500)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("solidarity message")
        verbose_name_plural = _("solidarity messages")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["action", "status"], name="solidarity_case_status")]

    def __str__(self) -> str:
        return f"{self.name}: {self.message[:40]}"
