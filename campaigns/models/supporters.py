"""Supporters, what they agreed to, and their subscriptions to new cases."""

import secrets
import uuid
from typing import Self

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .cases import Category, UrgentAction


class Supporter(models.Model):
    """A person who acted on at least one case, known by their canonical email.

    The canonical form (lower-cased, +tag removed, Gmail dots ignored) makes one person
    one supporter however they type their address; `email` keeps what they typed, for
    sending.
    """

    email = models.EmailField(_("email"), max_length=254)
    # Unique by a named constraint rather than unique=True, which on PostgreSQL adds a
    # second index for LIKE lookups that nothing makes: one index less on every sign-up.
    email_canonical = models.CharField(max_length=254, editable=False)
    name = models.CharField(_("name"), max_length=120)
    country = CountryField(_("country"), blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    # The one-time link to the supporter's data names this nonce; opening it clears it.
    access_nonce = models.CharField(max_length=32, blank=True, editable=False)
    # The id others know the supporter by (webhooks): opaque, stable, kept on erasure so a
    # CRM can find whom to erase. No index: Pluma never looks a supporter up by it, and
    # every sign-up would pay for one (uuid4 makes a collision a non-event).
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("supporter")
        verbose_name_plural = _("supporters")
        constraints = [
            models.UniqueConstraint(fields=["email_canonical"], name="one_supporter_per_email")
        ]

    def __str__(self) -> str:
        # Never the raw email: str() ends up in logs and admin breadcrumbs.
        return f"Supporter #{self.pk}"


class Consent(models.Model):
    """What a supporter agreed to, with the exact words they were shown."""

    # Wagtail's reference index would otherwise record every row (a query and an insert
    # per sign-up, and millions of "usages" of a case); nothing here is content.
    wagtail_reference_index_ignore = True

    class Kind(models.TextChoices):
        CASE_UPDATES = "case_updates", _("Updates on this case")
        SHARE_NAME = "share_name", _("Name passed on to the recipient")
        NEW_CASES = "new_cases", _("New cases")

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="consents")
    action = models.ForeignKey(
        UrgentAction,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="consents",
        # consent_action_kind starts with the case.
        db_index=False,
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    text = models.TextField(help_text=_("The exact text shown to the supporter."))
    page_revision_id = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        help_text=_("The revision of the page the supporter agreed on."),
    )
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, default="en")
    granted_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["action", "kind"], name="consent_action_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({'withdrawn' if self.withdrawn_at else 'given'})"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


def new_token() -> str:
    return secrets.token_urlsafe(16)


def _as_list(value: str) -> list[str]:
    return [item for item in value.split(",") if item]


class SubscriptionQuerySet(models.QuerySet["Subscription"]):
    def active(self) -> Self:
        return self.filter(confirmed_at__isnull=False, cancelled_at__isnull=True)

    def matching(self, action: UrgentAction) -> Self:
        """Subscriptions that want ``action``: an empty filter means every value."""
        return self.filter(
            models.Q(categories="") | models.Q(categories__contains=f",{action.category},"),
            models.Q(countries="") | models.Q(countries__contains=f",{action.country},"),
        )


class Subscription(models.Model):
    """A supporter's wish to hear of new cases, by category and country.

    Pending until confirmed by email (double opt-in). Categories and countries are stored
    as ",a,b," so one LIKE finds a value on SQLite and PostgreSQL alike; empty means all.
    """

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", _("As each case goes live")
        WEEKLY = "weekly", _("A weekly digest")

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="subscriptions")
    categories = models.CharField(max_length=400, blank=True)
    countries = models.CharField(max_length=1000, blank=True)
    frequency = models.CharField(
        _("how often"),
        max_length=16,
        choices=Frequency.choices,
        default=Frequency.IMMEDIATE,
    )
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, default="en")
    # Links name this token; changing it makes every earlier link stop working.
    token = models.CharField(max_length=32, default=new_token, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        indexes = [
            models.Index(fields=["frequency", "confirmed_at"], name="subscription_due"),
        ]

    def __str__(self) -> str:
        return f"Subscription #{self.pk} ({self.frequency})"

    @property
    def category_list(self) -> list[str]:
        return _as_list(self.categories)

    @property
    def country_list(self) -> list[str]:
        return _as_list(self.countries)

    @property
    def category_labels(self) -> list[str]:
        return [str(Category(c).label) for c in self.category_list if c in Category.values]

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.cancelled_at is None

    @staticmethod
    def pack(values) -> str:
        """The stored form of a list of codes: ",a,b," or "" for all."""
        values = sorted({str(v) for v in values if v})
        return f",{','.join(values)}," if values else ""
