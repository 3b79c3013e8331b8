"""Petitions and signatures: what a case asks supporters to sign, and who signed."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from campaigns.models import Invalidation, Supporter, UrgentAction
from campaigns.models.sources import DOMAIN_LENGTH, NETWORK_LENGTH


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

    # No index of its own: one_signature_per_supporter_per_action starts with the case.
    # Every index here is written by every sign-up, so each one must earn its place.
    action = models.ForeignKey(
        UrgentAction, on_delete=models.PROTECT, related_name="signatures", db_index=False
    )
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
    # Flagged signatures (abuse defences, an organizer's invalidation) are kept but never
    # counted.
    is_flagged = models.BooleanField(_("flagged"), default=False)
    flag_reason = models.CharField(_("flag reason"), max_length=100, blank=True)
    # Where it came from (campaigns.models.sources): the network of the address it was
    # posted from, never the address, and the domain of the canonical email. Blanked by
    # erasure and retention with the rest.
    network = models.CharField(_("network"), max_length=NETWORK_LENGTH, blank=True)
    email_domain = models.CharField(_("email domain"), max_length=DOMAIN_LENGTH, blank=True)
    # The organizer's invalidation that flagged it, until it is reversed. No index of its
    # own on every sign-up: the partial one below holds only invalidated rows.
    invalidation = models.ForeignKey(
        Invalidation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        editable=False,
    )
    # Confirmation links carry this nonce; confirming clears it, so a link works once.
    nonce = models.CharField(max_length=32, blank=True, editable=False)
    links_sent = models.PositiveSmallIntegerField(default=0, editable=False)
    # The outbox of the first confirmation email (campaigns.dispatch): set when signing
    # asks for one, cleared once it is sent; when a dispatch last handed it to a worker.
    link_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    link_enqueued_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The outbox of the "you have already signed" notice: set by a repeated sign-up in the
    # same statement a first one writes with (so both take the same time), cleared once
    # the notice is sent.
    notice_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    notice_enqueued_at = models.DateTimeField(null=True, blank=True, editable=False)
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
        # starts with (action, status), so counting by status uses them too.
        indexes = [
            models.Index(
                fields=["action", "status", "is_flagged", "country"],
                name="signature_report_country",
            ),
            models.Index(
                fields=["action", "status", "is_flagged", "source"],
                name="signature_report_source",
            ),
            # The confirmation emails still to send: a handful at any time.
            models.Index(
                fields=["link_due_at"],
                name="signature_link_due",
                condition=models.Q(link_due_at__isnull=False),
            ),
            models.Index(
                fields=["notice_due_at"],
                name="signature_notice_due",
                condition=models.Q(notice_due_at__isnull=False),
            ),
            # The per-case dashboard groups confirmations by day (handover work).
            models.Index(
                fields=["action", "status", "is_flagged", "confirmed_at"],
                name="signature_report_day",
            ),
            # A case's recent sign-ups by source: the trending check (every few minutes,
            # over the last window of every open case) and the organizers' page of sources.
            models.Index(fields=["action", "signed_at"], name="signature_recent"),
            # What an invalidation flagged, for its reversal: only invalidated rows.
            models.Index(
                fields=["invalidation"],
                name="signature_invalidation",
                condition=models.Q(invalidation__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Signature #{self.pk} on UA {self.action.number}"

    @property
    def is_flagged_by_defences(self) -> bool:
        """Flagged when it was made (see FLAGGED_BY_DEFENCES), not by an invalidation."""
        return self.is_flagged and self.invalidation_id is None


# What the public forms' defences flagged as it was made (a trap box filled in, a blocked
# domain, …): it never counts, and its owner is told how to sign again. An organizer's
# invalidation flags signatures too, but that is a judgement about a source that the
# owner must not be able to undo by signing again, and that a reversal undoes.
FLAGGED_BY_DEFENCES = models.Q(is_flagged=True, invalidation__isnull=True)


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
