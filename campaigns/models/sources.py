"""Where sign-ups and letters come from: trending sources and organizers' bulk invalidations.

Each Signature and Letter keeps its *source*: the network of the address it was posted
from (an IPv4 /24, an IPv6 /64: campaigns.defences.network_of; never the address) and the
domain of the supporter's canonical email. A source that passes a threshold on a case is
*trending* (actions.trending) and organizers are told once per window (TrendingSource).
An organizer may then *invalidate* a source on a case, optionally within a time range
(Invalidation): its signatures stop counting and its unsent letters stop going; the
record says who, when, what and why, and reversing it restores exactly those rows.

The rows are petitions' and letters'; they point to the Invalidation, and each app
invalidates and restores its own (actions composes the two).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .cases import UrgentAction

# An IPv6 network's text is at most 39 characters and "/128".
NETWORK_LENGTH = 43
DOMAIN_LENGTH = 253
REASON_LENGTH = 300


class SourceKind(models.TextChoices):
    NETWORK = "network", _("network")
    DOMAIN = "domain", _("email domain")

    @property
    def field(self) -> str:
        """The column of a Signature or a Letter that holds this kind of source."""
        return "network" if self is SourceKind.NETWORK else "email_domain"


class TrendingSource(models.Model):
    """A source that passed the threshold on a case, and when organizers were last told.

    One row per case and source: telling again waits a whole window (alerted_at), so
    organizers get one email per source per window however often the check runs.
    """

    action = models.ForeignKey(
        UrgentAction, on_delete=models.CASCADE, related_name="trending_sources"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=SourceKind.choices)
    source = models.CharField(_("source"), max_length=DOMAIN_LENGTH)
    # What the window held when organizers were last told.
    signatures = models.PositiveIntegerField(_("sign-ups"), default=0)
    letters = models.PositiveIntegerField(_("letters"), default=0)
    first_alerted_at = models.DateTimeField(_("first trending at"))
    alerted_at = models.DateTimeField(_("last trending at"))
    # The outbox of the email to organizers: cleared by each new alert, set once it went.
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("trending source")
        verbose_name_plural = _("trending sources")
        constraints = [
            models.UniqueConstraint(
                fields=["action", "kind", "source"], name="one_trending_source_per_case"
            )
        ]
        indexes = [
            models.Index(
                fields=["action"],
                name="trending_source_to_notify",
                condition=Q(notified_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} on UA {self.action.number}"


class Invalidation(models.Model):
    """An organizer invalidated a case's sign-ups and letters from one source: who, when,
    which rows (by criteria and by count) and why; and, if so, who reversed it and when.

    The signatures and letters it invalidated point to it until it is reversed.
    """

    class Status(models.TextChoices):
        INVALIDATED = "invalidated", _("Invalidated")
        REVERSED = "reversed", _("Reversed")

    action = models.ForeignKey(UrgentAction, on_delete=models.PROTECT, related_name="invalidations")
    kind = models.CharField(_("kind"), max_length=16, choices=SourceKind.choices)
    # Blanked by retention with the rows' own sources (CampaignsProvider.anonymise_cases).
    source = models.CharField(_("source"), max_length=DOMAIN_LENGTH)
    since = models.DateTimeField(_("from"), null=True, blank=True)
    until = models.DateTimeField(_("until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=REASON_LENGTH)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.INVALIDATED
    )
    invalidated_at = models.DateTimeField(_("invalidated at"))
    invalidated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("invalidated by"),
    )
    # What it changed: signatures (of which confirmed, i.e. taken off the count), letters
    # (of which already sent to an official, i.e. only marked).
    signatures = models.PositiveIntegerField(_("signatures"), default=0)
    confirmed_signatures = models.PositiveIntegerField(_("confirmed signatures"), default=0)
    letters = models.PositiveIntegerField(_("letters"), default=0)
    letters_sent = models.PositiveIntegerField(_("letters already sent"), default=0)
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reversed by"),
    )

    class Meta:
        verbose_name = _("invalidation")
        verbose_name_plural = _("invalidations")
        ordering = ["-invalidated_at"]
        permissions = [
            (
                "invalidate_source",
                _("Can invalidate a source's sign-ups and letters on a case, and reverse it"),
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="reversed") | Q(reversed_at__isnull=False),
                name="invalidation_reversed_has_reversed_at",
            ),
            models.CheckConstraint(
                condition=Q(since__isnull=True) | Q(until__isnull=True) | Q(since__lt=F("until")),
                name="invalidation_since_before_until",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.source} on UA {self.action.number}"

    @property
    def is_reversed(self) -> bool:
        return self.status == self.Status.REVERSED

    def matches(self, *, case: str, at: str) -> Q:
        """The rows of its case from its source within its time range; ``case`` names the
        rows' case column (action, case) and ``at`` their time column (signed_at,
        created_at). Never every row: a source is never empty."""
        assert self.source, "an invalidation names its source"
        condition = Q(**{case: self.action_id, SourceKind(self.kind).field: self.source})
        if self.since is not None:
            condition &= Q(**{f"{at}__gte": self.since})
        if self.until is not None:
            condition &= Q(**{f"{at}__lt": self.until})
        return condition
