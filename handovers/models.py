"""Handovers to embassies and their packs.

Both models began in petitions and keep its tables (db_table): moving them to this app
moved no data (migrations/0001_initial.py).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from campaigns.models import UrgentAction
from campaigns.private_files import private_storage


class HandoverPack(models.Model):
    """A delivery pack built for one recipient: the PDF, the CSV and the fingerprint.

    The pack counts the confirmed, unflagged signatures confirmed up to `counted_until`;
    the fingerprint is the SHA-256 of exactly that set (services/packs.py,
    fingerprint_signatures).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        BUILDING = "building", _("Building")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    action = models.ForeignKey(
        UrgentAction,
        on_delete=models.PROTECT,
        related_name="handover_packs",
        verbose_name=_("case"),
    )
    recipient = models.ForeignKey(
        "campaigns.Target", on_delete=models.PROTECT, related_name="+", verbose_name=_("recipient")
    )
    language = models.CharField(_("language"), max_length=10, blank=True, editable=False)
    include_names = models.BooleanField(
        _("include names"),
        default=True,
        help_text=_("Only of signers who agreed to have their name passed on."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    counted_until = models.DateTimeField(_("counted until"), null=True, blank=True)
    online_count = models.PositiveIntegerField(_("online signatures"), default=0)
    paper_count = models.PositiveIntegerField(_("paper signatures"), default=0)
    named_count = models.PositiveIntegerField(_("names listed"), default=0)
    fingerprint = models.CharField(_("fingerprint"), max_length=64, blank=True, db_index=True)
    # Names of signers: private files, downloaded only through the admin (wagtail_hooks).
    pdf = models.FileField(
        _("PDF"), upload_to="handover-packs/", storage=private_storage, blank=True
    )
    csv = models.FileField(
        _("CSV"), upload_to="handover-packs/", storage=private_storage, blank=True
    )
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        db_table = "petitions_handoverpack"
        verbose_name = _("delivery pack")
        verbose_name_plural = _("delivery packs")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="handover_pack_progress_percent"
            )
        ]

    def __str__(self) -> str:
        return f"Pack #{self.pk} for UA {self.action.number} ({self.get_status_display()})"

    @property
    def total(self) -> int:
        return self.online_count + self.paper_count


class Handover(models.Model):
    """Signatures and letters handed to a recipient, as the organizer recorded it."""

    action = models.ForeignKey(
        UrgentAction, on_delete=models.PROTECT, related_name="handovers", verbose_name=_("case")
    )
    recipient = models.ForeignKey(
        "campaigns.Target",
        on_delete=models.PROTECT,
        related_name="handovers",
        verbose_name=_("recipient"),
    )
    pack = models.ForeignKey(
        HandoverPack,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handovers",
        verbose_name=_("delivery pack"),
    )
    handed_over_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, help_text=_("For example: Ottawa"))
    delivered_by = models.CharField(_("delivered by"), max_length=200)
    received_by = models.CharField(_("received by"), max_length=200, blank=True)
    # Frozen when recorded: later signatures never change what was handed over.
    count_delivered = models.PositiveIntegerField(_("messages delivered"))
    fingerprint = models.CharField(_("fingerprint"), max_length=64, blank=True, db_index=True)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("photo"),
    )
    is_receipt_acknowledged = models.BooleanField(_("receipt acknowledged"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        db_table = "petitions_handover"
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-handed_over_on", "-pk"]

    def __str__(self) -> str:
        return f"UA {self.action.number} handed to {self.recipient} on {self.handed_over_on}"

    @property
    def recipient_label(self) -> str:
        """'Embassy of Mexico' rather than the ambassador's name, when the directory has it."""
        return self.recipient.organisation or str(self.recipient)
