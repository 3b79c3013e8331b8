"""Webhooks out: the organizers' endpoints and the delivery of each event to each of them."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Event

Kind = Event.Kind


class Endpoint(models.Model):
    """A URL of the organisation's (its CRM) that is told of the events it chose, signed
    with its own secret (Standard Webhooks)."""

    name = models.CharField(_("name"), max_length=100, help_text=_("For example: Action Network"))
    url = models.URLField(_("URL"), max_length=500)
    # Standard Webhooks' form, "whsec_" + base64 of 32 random bytes. Shown once, when it is
    # made (services.create_endpoint, rotate_secret); never in a form or a list.
    secret = models.CharField(max_length=100, editable=False)
    # After a rotation the old secret signs too, until then, so receivers can switch over.
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    events = models.JSONField(_("events"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    has_texts = models.BooleanField(
        _("include letter and reply texts"),
        default=False,
        help_text=_(
            "Send the text of supporters' letters and of officials' replies. Only someone "
            "allowed to send texts may turn this on; without it, events carry ids, counts "
            "and states."
        ),
    )
    # Who turned texts on: they must still hold the permission when each event goes.
    texts_allowed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # Set by the first failed attempt after a success, cleared by the next success: an
    # endpoint failing this long is switched off (services.sending).
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    disabled_at = models.DateTimeField(_("switched off"), null=True, blank=True)
    disabled_reason = models.CharField(_("why switched off"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name", "pk"]
        permissions = [
            ("send_texts_endpoint", "Can send letter and reply texts to a webhook endpoint"),
        ]

    def __str__(self) -> str:
        return self.name

    def wants(self, event: Event) -> bool:
        """Whether this endpoint is to hear of ``event``: one of its kinds, and not older
        than the endpoint (an endpoint hears what happens after it was made)."""
        return event.kind in self.events and event.occurred_at >= self.created_at

    @property
    def event_labels(self) -> list[str]:
        return [str(Kind(kind).label) for kind in self.events if kind in Kind.values]


class WebhookDelivery(models.Model):
    """One event to one endpoint: the outbox row, and its log (the last response)."""

    # Wagtail's reference index would record every row; nothing here is content.
    wagtail_reference_index_ignore = True

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Given up")

    endpoint = models.ForeignKey(
        Endpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("endpoint")
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    # Copied from the event: the log filters by kind, and a supporter's events go in order.
    kind = models.CharField(_("event"), max_length=32, choices=Kind.choices)
    supporter_id = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    # When a dispatch last handed it to a worker (campaigns.outbox).
    handed_out_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    failed_at = models.DateTimeField(_("given up"), null=True, blank=True)
    # The last attempt, for the log: what the endpoint answered and how fast.
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    last_response = models.TextField(_("response (start)"), blank=True)
    last_duration_ms = models.PositiveIntegerField(_("took (ms)"), null=True, blank=True)
    last_error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="one_delivery_per_endpoint")
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
            # What `waits_for_earlier` looks up: a supporter's unfinished deliveries.
            models.Index(
                fields=["endpoint", "supporter_id", "event"],
                name="webhook_delivery_unfinished",
                condition=Q(status__in=["pending", "sending"]),
            ),
            models.Index(fields=["status", "lease_expires_at"], name="webhook_delivery_lease"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.event_id} → {self.endpoint_id}"


UNFINISHED = (WebhookDelivery.Status.PENDING, WebhookDelivery.Status.SENDING)


def waits_for_earlier() -> Q:
    """Deliveries that must wait: the same supporter has an earlier event not yet delivered
    to the same endpoint (waiting or being sent). Events without a supporter never wait.

    A correlated subquery, not a join: a claim's conditional UPDATE keeps every condition
    on the row it changes (campaigns.outbox.claim).
    """
    earlier = WebhookDelivery.objects.filter(
        endpoint_id=OuterRef("endpoint_id"),
        supporter_id=OuterRef("supporter_id"),
        event_id__lt=OuterRef("event_id"),
        status__in=UNFINISHED,
    )
    return Q(supporter_id__isnull=False) & Q(Exists(earlier))


def to_active_endpoint() -> Q:
    """Deliveries to an endpoint that is switched on."""
    return Q(Exists(Endpoint.objects.filter(pk=OuterRef("endpoint_id"), is_active=True)))
