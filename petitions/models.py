"""Petitions: what a case asks supporters to sign, the signatures, and their counts."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from campaigns.models import Supporter, UrgentAction


class FieldMode(models.TextChoices):
    OFF = "off", _("Not asked")
    OPTIONAL = "optional", _("Optional")
    REQUIRED = "required", _("Required")


class Petition(ClusterableModel):
    """The petition of one case: its text per language, its goal and the fields it asks for."""

    action = models.OneToOneField(
        UrgentAction, on_delete=models.CASCADE, related_name="petition", verbose_name=_("case")
    )
    goal = models.PositiveIntegerField(
        _("goal"),
        null=True,
        blank=True,
        help_text=_("Shown as a progress bar; leave empty for none."),
    )
    postal_code_field = models.CharField(
        _("postal code"), max_length=10, choices=FieldMode.choices, default=FieldMode.OFF
    )
    city_field = models.CharField(
        _("city"), max_length=10, choices=FieldMode.choices, default=FieldMode.OFF
    )
    comment_field = models.CharField(
        _("comment"), max_length=10, choices=FieldMode.choices, default=FieldMode.OFF
    )
    requires_challenge = models.BooleanField(
        _("ask for a proof-of-work challenge"),
        default=False,
        help_text=_("Slows down automated sign-ups; switch on when a case is under attack."),
    )
    allows_solidarity_messages = models.BooleanField(
        _("take solidarity messages"),
        default=False,
        help_text=_("Supporters may write a short message to the person at risk; you moderate."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldRowPanel([FieldPanel("action"), FieldPanel("goal")]),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("postal_code_field"),
                        FieldPanel("city_field"),
                        FieldPanel("comment_field"),
                    ]
                ),
                FieldPanel("requires_challenge"),
                FieldPanel("allows_solidarity_messages"),
            ],
            heading=_("Signing form"),
        ),
        InlinePanel("texts", heading=_("Petition text per language"), label=_("Text")),
    ]

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")

    def __str__(self) -> str:
        return f"Petition of UA {self.action.number}"

    def text_in(self, language: str) -> "PetitionText | None":
        """The text in ``language``, else the first one written."""
        texts = list(self.texts.all())
        for text in texts:
            if text.language == language:
                return text
        return texts[0] if texts else None


class PetitionText(Orderable):
    petition = ParentalKey(Petition, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    text = models.TextField(_("petition text"), help_text=_("Shown above the signing form."))

    panels = [FieldPanel("language"), FieldPanel("text")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "language"],
                name="unique_petition_text_language",
                violation_error_message=_("There is already a text in this language."),
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]


class Signature(models.Model):
    """One supporter's signature on one case: pending until they confirm by email."""

    # Wagtail's reference index would otherwise record every row (a query and an insert
    # per sign-up, and millions of "usages" of a case); nothing here is content.
    wagtail_reference_index_ignore = True

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending confirmation")
        CONFIRMED = "confirmed", _("Confirmed")

    action = models.ForeignKey(UrgentAction, on_delete=models.PROTECT, related_name="signatures")
    supporter = models.ForeignKey(Supporter, on_delete=models.PROTECT, related_name="signatures")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    # What the supporter gave on this case, kept as given: the supporter row holds the
    # latest details, the signature what was signed.
    name = models.CharField(_("name"), max_length=120)
    country = models.CharField(_("country"), max_length=2)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    source = models.CharField(_("source"), max_length=100, blank=True, help_text="utm_source")
    # Flagged signatures (abuse defences) are kept but never counted.
    is_flagged = models.BooleanField(_("flagged"), default=False)
    flag_reason = models.CharField(_("flag reason"), max_length=100, blank=True)
    # Confirmation links carry this nonce; confirming clears it, so a link works once.
    nonce = models.CharField(max_length=32, blank=True, editable=False)
    links_sent = models.PositiveSmallIntegerField(default=0, editable=False)
    notices_sent = models.PositiveSmallIntegerField(
        default=0, editable=False, help_text="'You have already signed' emails sent."
    )
    signed_at = models.DateTimeField(_("signed at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(
                fields=["action", "supporter"], name="one_signature_per_supporter_per_action"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="confirmed") | models.Q(confirmed_at__isnull=False),
                name="signature_confirmed_has_confirmed_at",
            ),
        ]
        permissions = [("export_signatures", _("Can export a case's confirmed signatures"))]
        # The organizers' report groups a case's signatures by these columns; each index
        # starts with (action, status) so counting by status uses them too.
        indexes = [
            models.Index(fields=["action", "status"], name="signature_action_status"),
            models.Index(
                fields=["action", "status", "is_flagged", "country"],
                name="signature_report_country",
            ),
            models.Index(
                fields=["action", "status", "is_flagged", "source"],
                name="signature_report_source",
            ),
            # The per-case dashboard groups confirmations by day (handover work).
            models.Index(
                fields=["action", "status", "is_flagged", "confirmed_at"],
                name="signature_report_day",
            ),
        ]

    def __str__(self) -> str:
        return f"Signature #{self.pk} on UA {self.action.number}"


class SignatureCountShard(models.Model):
    """One of N counter rows per case; the confirmed count is their sum.

    Spreading increments over N rows means concurrent confirmations rarely wait on the
    same row lock, and reading the count costs N rows however many signatures exist.
    """

    action = models.ForeignKey(UrgentAction, on_delete=models.CASCADE, related_name="+")
    shard = models.PositiveSmallIntegerField()
    confirmed = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["action", "shard"], name="unique_count_shard")
        ]

    def __str__(self) -> str:
        return f"UA {self.action.number} shard {self.shard}: {self.confirmed}"


class BlockedEmailDomain(models.Model):
    """Sign-ups from these domains (and their subdomains) are accepted but flagged."""

    domain = models.CharField(
        _("domain"),
        max_length=253,
        unique=True,
        help_text=_("For example mailinator.com; its subdomains are blocked too."),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("blocked email domain")
        verbose_name_plural = _("blocked email domains")
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain

    def save(self, *args, **kwargs):
        self.domain = self.domain.strip().lower().lstrip("@").rstrip(".")
        super().save(*args, **kwargs)


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


# --- handovers, impact and solidarity (see handovers.py, packs.py, impact.py) ---------


class HandoverPack(models.Model):
    """A delivery pack built for one recipient: the PDF, the CSV and the fingerprint.

    The pack counts the confirmed, unflagged signatures confirmed up to `counted_until`;
    the fingerprint is the SHA-256 of exactly that set (packs.fingerprint_signatures).
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
    pdf = models.FileField(_("PDF"), upload_to="handover-packs/", blank=True)
    csv = models.FileField(_("CSV"), upload_to="handover-packs/", blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
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
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-handed_over_on", "-pk"]

    def __str__(self) -> str:
        return f"UA {self.action.number} handed to {self.recipient} on {self.handed_over_on}"

    @property
    def recipient_label(self) -> str:
        """'Embassy of Mexico' rather than the ambassador's name, when the directory has it."""
        return self.recipient.organisation or str(self.recipient)


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
