"""Letters to officials: sample letters, the supporters' letters, and the outbox."""

import re
from typing import Any, Protocol

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country, CountryField
from wagtail.admin.panels import FieldPanel, FieldRowPanel

from campaigns.models import LANGUAGE_CHOICES, Invalidation, Supporter, Target, UrgentAction
from campaigns.models.sources import DOMAIN_LENGTH, NETWORK_LENGTH

PLACEHOLDERS = (
    "salutation",
    "target_name",
    "target_title",
    "supporter_name",
    "supporter_city",
    "supporter_country",
    "ua_number",
)
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    """Replace the known ``{placeholders}`` in ``text``; leave every other brace alone.

    Not str.format_map: a lone brace typed by an editor or a supporter makes format raise,
    and ``{salutation.__class__}`` would reach into attributes. Only the names in
    PLACEHOLDERS are replaced, and a missing value becomes an empty string.
    """
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), "") or ""), text)


class Writer(Protocol):
    """Who signs a letter: the Letter itself (what was typed on its form), or an unsaved
    example for a preview."""

    name: str
    city: str
    country: Any  # a django_countries Country


def placeholder_values(*, target: Target, writer: Writer, case: UrgentAction) -> dict[str, str]:
    """What the placeholders stand for. Never the supporter's email or postal address."""
    return {
        "salutation": target.salutation,
        "target_name": target.name,
        "target_title": target.title,
        "supporter_name": writer.name,
        "supporter_city": writer.city,
        "supporter_country": writer.country.name if writer.country else "",
        "ua_number": case.number,
    }


class LetterTemplate(models.Model):
    """The sample letter of a case in one language, with placeholders."""

    case = models.ForeignKey(
        UrgentAction, on_delete=models.CASCADE, related_name="letter_templates"
    )
    # Any language an official may read (a German embassy gets German), not only the
    # site's: the same list as Target.language.
    language = models.CharField(_("language"), max_length=10, choices=LANGUAGE_CHOICES)
    subject = models.CharField(
        _("subject"), max_length=200, help_text=_("For example: Protect {target_name}'s staff")
    )
    body = models.TextField(
        _("body"),
        help_text=_(
            "Placeholders: {salutation}, {target_name}, {target_title}, {supporter_name}, "
            "{supporter_city}, {supporter_country}, {ua_number}."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldRowPanel([FieldPanel("case"), FieldPanel("language")]),
        FieldPanel("subject"),
        FieldPanel("body"),
    ]

    class Meta:
        verbose_name = _("sample letter")
        verbose_name_plural = _("sample letters")
        ordering = ["case", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "language"],
                name="unique_letter_template_language",
                violation_error_message=_(
                    "This case already has a sample letter in this language."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"UA {self.case.number} ({self.language})"

    def render(self, *, target: Target, writer: Writer) -> tuple[str, str]:
        """The subject and body for one target and writer."""
        values = placeholder_values(target=target, writer=writer, case=self.case)
        return fill_placeholders(self.subject, values), fill_placeholders(self.body, values)


class Letter(models.Model):
    """What one supporter wrote on one case. Target placeholders are filled per delivery."""

    class Status(models.TextChoices):
        PENDING_CONFIRMATION = "pending_confirmation", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    case = models.ForeignKey(UrgentAction, on_delete=models.CASCADE, related_name="letters")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="letters")
    targets = models.ManyToManyField(Target, related_name="+", verbose_name=_("targets"))
    # Who signs it, as typed on the form that wrote it (campaigns.supporters): never another
    # form's name for the same address.
    name = models.CharField(_("name"), max_length=120, default="")
    city = models.CharField(_("city"), max_length=100, blank=True, default="")
    # The field's descriptor gives a Country (falsy when blank); django-countries' stubs
    # leave CharField's str, so the annotation says what an instance holds.
    country: "models.CharField[str | Country, Country]" = CountryField(
        _("country"), blank=True, default=""
    )
    language = models.CharField(_("language"), max_length=10, default="es")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.PENDING_CONFIRMATION
    )
    is_identical_to_sample = models.BooleanField(_("identical to the sample"), default=False)
    personal_share = models.PositiveSmallIntegerField(
        _("own words (%)"), default=0, help_text=_("How much of the letter is the supporter's.")
    )
    # The supporter ticked "also sign the petition": confirming the letter confirms the
    # signature too (actions.services.confirm_letters).
    is_also_signing = models.BooleanField(_("also signs the petition"), default=False)
    # Where it came from (campaigns.models.sources): the network of the address it was
    # posted from, never the address, and the domain of the canonical email. Blanked by
    # erasure and retention with the rest.
    network = models.CharField(_("network"), max_length=NETWORK_LENGTH, blank=True)
    email_domain = models.CharField(_("email domain"), max_length=DOMAIN_LENGTH, blank=True)
    # An organizer's invalidation of its source, until it is reversed: its deliveries not
    # yet sent are stopped (held()), and it no longer counts.
    invalidation = models.ForeignKey(
        Invalidation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        editable=False,
    )
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["case", "status"], name="letter_case_status"),
            # A case's recent letters by source (actions.trending).
            models.Index(fields=["case", "created_at"], name="letter_recent"),
            models.Index(
                fields=["invalidation"],
                name="letter_invalidation",
                condition=Q(invalidation__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(personal_share__lte=100), name="letter_personal_share_percent"
            )
        ]

    def __str__(self) -> str:
        return f"Letter #{self.pk} on UA {self.case.number}"

    @property
    def priority(self) -> int:
        """Own words go first; identical letters are delivered, later."""
        return 0 if self.is_identical_to_sample else 1 + self.personal_share // 10


class LetterToOfficial(models.Model):
    """The one letter a supporter sends one official on one case.

    Written when the letter is confirmed, in the same transaction as its deliveries; the
    unique constraint decides between two confirmations racing for the same official,
    so one person cannot have any number of letters delivered to the same official (a
    follow-up to an unanswered letter aside: replies.services.questionnaire).
    """

    # The unique constraint's index starts with the case: no index of its own.
    case = models.ForeignKey(
        UrgentAction, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="+")
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("letter to an official")
        verbose_name_plural = _("letters to officials")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "supporter", "target"], name="one_letter_per_official"
            )
        ]

    def __str__(self) -> str:
        return f"Letter #{self.letter_id} to target #{self.target_id} on case #{self.case_id}"


def default_letters_per_hour() -> int:
    return settings.PLUMA_LETTERS_PER_TARGET_HOUR


class DeliveryPolicy(models.Model):
    """How one target takes its letters: the pace and the channel."""

    class Mode(models.TextChoices):
        INDIVIDUAL = "individual", _("One email per letter")
        DAILY_DIGEST = "daily_digest", _("A daily digest")
        PRINTED_BUNDLE = "printed_bundle", _("A printed bundle for the post")

    target = models.OneToOneField(
        Target, on_delete=models.CASCADE, related_name="delivery_policy", verbose_name=_("target")
    )
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices, default=Mode.INDIVIDUAL)
    max_per_hour = models.PositiveIntegerField(
        _("letters per hour"),
        default=default_letters_per_hour,
        help_text=_("At most this many letters an hour, spread evenly."),
    )
    # The start of the next free sending slot; reserved under a row lock (sending.py).
    next_slot_at = models.DateTimeField(null=True, blank=True, editable=False)

    panels = [FieldPanel("target"), FieldRowPanel([FieldPanel("mode"), FieldPanel("max_per_hour")])]

    class Meta:
        verbose_name = _("delivery policy")
        verbose_name_plural = _("delivery policies")
        constraints = [
            models.CheckConstraint(condition=Q(max_per_hour__gte=1), name="policy_pace_positive")
        ]

    def __str__(self) -> str:
        return f"{self.target}: {self.get_mode_display()}, {self.max_per_hour}/h"


class Delivery(models.Model):
    """The outbox row: one letter to one target, and what became of it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        BOUNCED = "bounced", _("Bounced")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class ErrorCode(models.TextChoices):
        NONE = "", _("No error")
        REJECTED_ADDRESS = "rejected_address", _("the official's address was rejected")
        BAD_REQUEST = "bad_request", _("the email service refused the letter")
        BOUNCED = "bounced", _("the official's mail server refused it")
        NO_EMAIL = "no_email", _("this office has no email address")
        GAVE_UP = "gave_up", _("the email service kept failing")

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="deliveries")
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="deliveries")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    priority = models.PositiveSmallIntegerField(default=1)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # When a task for this row was last put on the broker (or its ETA): the sweeper uses it
    # to tell a row whose task is on its way from one whose task was lost.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # The row already holds a future sending slot of its target's pace: don't reserve twice.
    has_pace_slot = models.BooleanField(default=False)
    esp_message_id = models.CharField(max_length=200, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=300, blank=True)
    error_code = models.CharField(max_length=32, choices=ErrorCode.choices, blank=True)
    error = models.TextField(blank=True)
    is_uncertain = models.BooleanField(
        _("uncertain"),
        default=False,
        help_text=_("The email service timed out after it may have accepted the letter."),
    )
    queued_at = models.DateTimeField(default=timezone.now)
    sending_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    supporter_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-queued_at"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "target"], name="unique_delivery_per_target")
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["status", "lease_expires_at"], name="delivery_lease"),
            models.Index(fields=["target", "status"], name="delivery_target_status"),
            models.Index(fields=["esp_message_id"], name="delivery_esp_message_id"),
            # The letters sent in the last minutes, for the latency metric (config/metrics.py);
            # rows not yet sent take no entry.
            models.Index(
                fields=["sent_at"], name="delivery_sent", condition=Q(sent_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"Delivery #{self.pk} ({self.status})"


def held() -> Q:
    """Deliveries an organizer stops: to a held official, or on a case that is held or
    closed with its letters held (campaigns.holds), or of a letter whose source an
    organizer invalidated (actions.services.sources).

    Correlated subqueries rather than joins: a claim's conditional UPDATE keeps every
    condition on the row it changes (with a join, Django moves them into a sub-select,
    which a concurrent claim's re-check would not see change).
    """
    return (
        Q(Exists(Target.objects.held().filter(pk=OuterRef("target_id"))))
        | Q(Exists(UrgentAction.objects.holding_letters().filter(letters=OuterRef("letter_id"))))
        | Q(Exists(Letter.objects.filter(pk=OuterRef("letter_id"), invalidation__isnull=False)))
    )


class DeliveryEvent(models.Model):
    """One tracking event from the ESP, kept once: a replay finds its event_id taken."""

    event_id = models.CharField(max_length=200, unique=True)
    delivery = models.ForeignKey(
        Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    esp_name = models.CharField(max_length=40)
    event_type = models.CharField(max_length=32)
    description = models.TextField(blank=True)
    occurred_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("delivery event")
        verbose_name_plural = _("delivery events")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.esp_name} {self.event_type} for delivery #{self.delivery_id}"
