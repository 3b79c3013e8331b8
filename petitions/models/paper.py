"""Paper signatures collected offline, and the log of exports."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from wagtail.admin.panels import FieldPanel, FieldRowPanel

from campaigns.models import UrgentAction


class PaperTally(models.Model):
    """A number of paper signatures collected somewhere, without names."""

    action = models.ForeignKey(
        UrgentAction, on_delete=models.PROTECT, related_name="paper_tallies", verbose_name=_("case")
    )
    count = models.PositiveIntegerField(_("signatures"))
    collected_where = models.CharField(
        _("where collected"), max_length=200, help_text=_("For example: Street stall, Ottawa")
    )
    collected_on = models.DateField(_("collected on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    panels = [
        FieldPanel("action"),
        FieldRowPanel([FieldPanel("count"), FieldPanel("collected_on")]),
        FieldPanel("collected_where"),
    ]

    class Meta:
        verbose_name = _("paper tally")
        verbose_name_plural = _("paper tallies")

    def __str__(self) -> str:
        return f"{self.count} on paper for UA {self.action.number} ({self.collected_where})"


class PaperSignature(models.Model):
    """A named signature collected on paper, typed in or imported from a CSV file."""

    action = models.ForeignKey(
        UrgentAction,
        on_delete=models.PROTECT,
        related_name="paper_signatures",
        verbose_name=_("case"),
    )
    name = models.CharField(_("name"), max_length=120)
    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=100, blank=True)
    collected_on = models.DateField(_("collected on"), null=True, blank=True)
    batch = models.CharField(
        _("batch"), max_length=100, blank=True, help_text=_("Which stack of cards or which file.")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    panels = [
        FieldPanel("action"),
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("country"), FieldPanel("city")]),
        FieldRowPanel([FieldPanel("collected_on"), FieldPanel("batch")]),
    ]

    class Meta:
        verbose_name = _("paper signature")
        verbose_name_plural = _("paper signatures")
        indexes = [models.Index(fields=["action", "country"], name="paper_signature_country")]

    def __str__(self) -> str:
        return f"{self.name} (paper, UA {self.action.number})"


class ExportLog(models.Model):
    """Who downloaded which case's signatures, when, and how many rows they got."""

    action = models.ForeignKey(
        UrgentAction, on_delete=models.PROTECT, related_name="+", verbose_name=_("case")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    is_complete = models.BooleanField(_("complete"), default=False)

    class Meta:
        verbose_name = _("signature export")
        verbose_name_plural = _("signature exports")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return (
            f"Export of UA {self.action.number} by {self.user} at {self.started_at:%Y-%m-%d %H:%M}"
        )
