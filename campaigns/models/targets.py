"""The directory of officials and offices that cases write to, embassies among them."""

from typing import Self

from django.conf import global_settings, settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel

LANGUAGE_CHOICES = global_settings.LANGUAGES


class TargetQuerySet(models.QuerySet["Target"]):
    def active(self) -> Self:
        return self.filter(is_active=True)

    def embassies(self) -> Self:
        return self.active().filter(kind=Target.Kind.EMBASSY)

    def held(self) -> Self:
        """Officials an organizer holds: no letter goes to them (campaigns.holds)."""
        return self.filter(held_at__isnull=False)


# ActionTarget (action_links) is a Wagtail Orderable, untyped: the plugin cannot resolve it.
class Target(models.Model):  # type: ignore[django-manager-missing]
    """An official or office in the directory; cases pick targets from it."""

    class Kind(models.TextChoices):
        OFFICIAL = "official", _("Official or office")
        EMBASSY = "embassy", _("Embassy")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OFFICIAL)
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    country = CountryField(_("country"))
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=LANGUAGE_CHOICES,
        default="es",
        help_text=_("Letters to this target are written in this language."),
    )
    salutation = models.CharField(
        _("salutation"),
        max_length=200,
        help_text=_("In the target's language: Señor Gobernador"),
    )
    email = models.EmailField(_("email"), blank=True)
    postal_address = models.TextField(_("postal address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    represents_country = CountryField(
        _("represents"),
        blank=True,
        help_text=_("For embassies: the country it represents."),
    )
    accredited_to_country = CountryField(
        _("accredited to"), blank=True, help_text=_("For embassies: the host country.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    # An organizer's hold (campaigns.holds): while set, no letter to this official, on any
    # case, is handed out or claimed. Changed only by hold_official and resume_official.
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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TargetQuerySet.as_manager()

    panels = [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("is_active")]),
        FieldRowPanel([FieldPanel("name"), FieldPanel("title")]),
        FieldRowPanel([FieldPanel("organisation"), FieldPanel("country")]),
        FieldRowPanel([FieldPanel("language"), FieldPanel("salutation")]),
        MultiFieldPanel(
            [FieldPanel("email"), FieldPanel("postal_address"), FieldPanel("phone")],
            heading=_("Contact channels"),
        ),
        FieldRowPanel(
            [FieldPanel("represents_country"), FieldPanel("accredited_to_country")],
            heading=_("Embassy"),
        ),
    ]

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["country", "organisation", "name"]
        permissions = [("hold_target", _("Can hold and resume the letters to an official"))]
        constraints = [
            models.CheckConstraint(
                condition=~Q(email="", postal_address="", phone=""),
                name="target_has_contact_channel",
                violation_error_message=_(
                    "Give at least one contact channel: email, postal address or phone."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(kind="embassy")
                | (~Q(represents_country="") & ~Q(accredited_to_country="")),
                name="embassy_has_countries",
                violation_error_message=_(
                    "An embassy needs the country it represents and the country it is accredited to."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}, {self.name}" if self.title else self.name

    @property
    def is_held(self) -> bool:
        return self.held_at is not None
