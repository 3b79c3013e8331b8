"""The case file: Urgent Actions, the targets on them, follow-ups and deadline history.

The directory of officials is campaigns/models/targets.py."""

import datetime
from typing import Self, TypeVar

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from .targets import Target

ua_number_validator = RegexValidator(
    r"^[1-9]\d{0,3}/\d{2}$",
    _("Write the UA number as sequence/year, for example 58/20."),
)


class Category(models.TextChoices):
    DEFENDERS = "defenders", _("Protection of human rights defenders")
    DETENTION = "detention", _("Access to detention centres")
    DISAPPEARED = "disappeared", _("Disappeared persons")
    MIGRANTS = "migrants", _("Migrants and refugees")
    TORTURE = "torture", _("Torture and ill-treatment")
    EXPRESSION = "expression", _("Freedom of expression")
    OTHER = "other", _("Other")


class UrgentActionQuerySet(models.QuerySet["UrgentAction"]):
    def open(self) -> Self:
        return self.filter(status=UrgentAction.Status.OPEN)

    def held(self) -> Self:
        """Cases an organizer holds: nothing about them is sent (campaigns.holds)."""
        return self.filter(held_at__isnull=False)

    def holding_letters(self) -> Self:
        """Cases whose letters wait: held, or closed with the letters left held."""
        return self.filter(Q(held_at__isnull=False) | Q(letters_held_at__isnull=False))

    def past_deadline(self, today: datetime.date | None = None) -> Self:
        """Open cases whose deadline day has ended in the site's time zone."""
        return self.open().filter(deadline__lt=today or timezone.localdate())

    def in_listing_order(self) -> Self:
        """Open cases first, nearest deadline first; then the most recently closed."""
        return in_listing_order(self)


_QS = TypeVar("_QS", bound=models.QuerySet[models.Model])


def in_listing_order(queryset: _QS, via: str = "") -> _QS:
    """Order `queryset` as cases are listed: open first by nearest deadline, then the most
    recently closed. `via` is the path to the case for querysets of other models, e.g.
    "action__" for pages that present a case, so the database sorts and paginates."""
    open_ = Q(**{f"{via}status": UrgentAction.Status.OPEN})
    return queryset.annotate(
        status_rank=Case(
            When(open_, then=Value(0)),
            When(Q(**{f"{via}status": UrgentAction.Status.CLOSED}), then=Value(1)),
            default=Value(2),
        ),
        # The deadline orders open cases only: closed ones go by when they closed.
        open_deadline=Case(When(open_, then=F(f"{via}deadline"))),
    ).order_by(
        "status_rank",
        F("open_deadline").asc(nulls_last=True),
        F(f"{via}closed_at").desc(nulls_last=True),
        f"-{via}issued_on",
        "pk",
    )


class UrgentAction(ClusterableModel):
    """One Urgent Action case. Pages in every language present the same case."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class OutcomeKind(models.TextChoices):
        NONE = "", _("No outcome yet")
        GOOD_NEWS = "good_news", _("Good news")
        PARTIAL = "partial", _("Partial progress")
        NO_FURTHER_ACTION = "no_further_action", _("No further action requested")
        DEADLINE_PASSED = "deadline_passed", _("Deadline passed")

    number = models.CharField(
        _("UA number"),
        max_length=16,
        unique=True,
        validators=[ua_number_validator],
        help_text=_("Sequence/year, for example 58/20."),
        error_messages={"unique": _("Another case already has this UA number.")},
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(
        _("summary"),
        blank=True,
        help_text=_("Two or three sentences, used in letters and packs."),
    )
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    country = CountryField(_("country concerned"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    issued_on = models.DateField(_("issued on"), default=timezone.localdate)
    deadline = models.DateField(_("deadline"))
    writes_to_embassy = models.BooleanField(
        _("copy the embassy"),
        default=False,
        help_text=_(
            "Add the embassy of the case's country accredited to each supporter's country."
        ),
    )
    outcome_kind = models.CharField(
        _("outcome"), max_length=32, choices=OutcomeKind.choices, blank=True, default=""
    )
    outcome = models.TextField(
        _("outcome text"),
        blank=True,
        help_text=_("For example: threats stopped; protection restored."),
    )
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Set by the retention task once supporters' data on the case has been anonymised.
    anonymised_at = models.DateTimeField(_("personal data removed at"), null=True, blank=True)
    # An organizer's hold (campaigns.holds): while set, none of the case's letters, digests,
    # bundles or announcements is handed out or claimed. Changed only by hold_case and
    # resume_case.
    held_at = models.DateTimeField(_("held at"), null=True, blank=True, editable=False)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("held by"),
    )
    hold_reason = models.CharField(_("why it is held"), max_length=300, blank=True, editable=False)
    # Set when the case closes: the letters left wait for an organizer to send or drop them
    # (send_held, drop_held); reopening the case lets them go.
    letters_held_at = models.DateTimeField(
        _("letters held since"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UrgentActionQuerySet.as_manager()

    panels = [
        FieldRowPanel([FieldPanel("number"), FieldPanel("category"), FieldPanel("country")]),
        FieldPanel("title"),
        FieldPanel("summary"),
        FieldRowPanel([FieldPanel("status"), FieldPanel("issued_on"), FieldPanel("deadline")]),
        FieldPanel("writes_to_embassy"),
        MultiFieldPanel([FieldPanel("outcome_kind"), FieldPanel("outcome")], heading=_("Outcome")),
        InlinePanel("action_targets", heading=_("Targets"), label=_("Target")),
    ]

    class Meta:
        verbose_name = _("urgent action")
        verbose_name_plural = _("urgent actions")
        ordering = ["-issued_on", "number"]
        permissions = [
            ("hold_urgentaction", _("Can hold, resume, send or drop a case's letters")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("issued_on")),
                name="ua_deadline_not_before_issue",
                violation_error_message=_("The deadline cannot be before the issue date."),
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="ua_closed_has_closed_at",
            ),
        ]

    def __str__(self) -> str:
        return f"UA {self.number}: {self.title}"

    @property
    def slug(self) -> str:
        """The number as it appears in URLs: 58/20 becomes 58-20."""
        return self.number.replace("/", "-")

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def is_held(self) -> bool:
        return self.held_at is not None

    @property
    def has_letters_held(self) -> bool:
        """Closed with its letters left waiting for an organizer's choice."""
        return self.letters_held_at is not None

    def targets_in_tier(self, tier: str):
        return Target.objects.filter(action_links__action=self, action_links__tier=tier).order_by(
            "action_links__sort_order"
        )

    def embassy_for(self, country: str) -> "Target | None":
        """The embassy of this case's country accredited to ``country``, if the case copies it."""
        if not self.writes_to_embassy or not country:
            return None
        return (
            Target.objects.embassies()
            .filter(represents_country=self.country, accredited_to_country=country)
            .first()
        )


class ActionTarget(Orderable):
    """A target attached to a case, in a tier."""

    class Tier(models.TextChoices):
        PRIMARY = "primary", _("Primary")
        COPY = "copy", _("Copy to")
        EMBASSY = "embassy", _("Embassy")

    action = ParentalKey(UrgentAction, on_delete=models.CASCADE, related_name="action_targets")
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="action_links")
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, default=Tier.PRIMARY)

    panels = [FieldPanel("target"), FieldPanel("tier")]

    class Meta(Orderable.Meta):
        verbose_name = _("case target")
        constraints = [
            models.UniqueConstraint(
                fields=["action", "target"],
                name="unique_target_per_action",
                violation_error_message=_("This target is already on the case."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.target} ({self.get_tier_display()})"


class DeadlineExtension(models.Model):
    """One change of a case's deadline, kept as history."""

    action = models.ForeignKey(
        UrgentAction, on_delete=models.CASCADE, related_name="deadline_extensions"
    )
    previous_deadline = models.DateField()
    new_deadline = models.DateField()
    reason = models.CharField(max_length=300, blank=True)
    follow_up = models.ForeignKey(
        "FollowUp", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    extended_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["extended_at"]

    def __str__(self) -> str:
        return f"UA {self.action.number}: {self.previous_deadline} → {self.new_deadline}"


class FollowUp(ClusterableModel):
    """ "Further information on UA 58/20": an update to a case, numbered in sequence."""

    action = models.ForeignKey(UrgentAction, on_delete=models.CASCADE, related_name="follow_ups")
    sequence = models.PositiveSmallIntegerField(_("number"), editable=False)
    issued_on = models.DateField(_("date"), default=timezone.localdate)
    new_deadline = models.DateField(
        _("new deadline"),
        null=True,
        blank=True,
        help_text=_("Leave empty to keep the deadline."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldRowPanel([FieldPanel("action"), FieldPanel("issued_on"), FieldPanel("new_deadline")]),
        InlinePanel("texts", heading=_("Text per language"), label=_("Text"), min_num=1),
    ]

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["action", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["action", "sequence"], name="unique_follow_up_sequence")
        ]

    def __str__(self) -> str:
        return f"Further information on UA {self.action.number} ({self.sequence})"

    def text_in(self, language: str) -> "FollowUpText | None":
        """The text in ``language``, else the first one written."""
        texts = list(self.texts.all())
        for text in texts:
            if text.language == language:
                return text
        return texts[0] if texts else None


class FollowUpText(Orderable):
    follow_up = ParentalKey(FollowUp, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))

    panels = [
        FieldRowPanel([FieldPanel("language"), FieldPanel("title")]),
        FieldPanel("body"),
    ]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["follow_up", "language"],
                name="unique_follow_up_text_language",
                violation_error_message=_("There is already a text in this language."),
            )
        ]

    def __str__(self) -> str:
        return self.title
