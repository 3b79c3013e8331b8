"""What happened, for whoever outside Pluma wants to hear of it (campaigns/events.py)."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .cases import UrgentAction
from .supporters import Supporter


class Event(models.Model):
    """One thing that happened (a signature confirmed, a letter delivered…), written in the
    transaction that made it happen, as ids, counts and states: never a name, an address
    or a text. An outbox: a higher app (webhooks) reads the rows not yet fanned out."""

    # Wagtail's reference index would record every row; nothing here is content.
    wagtail_reference_index_ignore = True

    class Kind(models.TextChoices):
        SIGNATURE_CONFIRMED = "signature.confirmed", _("A signature was confirmed")
        LETTER_SENT = "letter.sent", _("A letter was sent to an official")
        LETTER_DELIVERED = "letter.delivered", _("A letter reached an official's mail server")
        LETTER_BOUNCED = "letter.bounced", _("A letter bounced")
        REPLY_PUBLISHED = "reply.published", _("An official's reply was published")
        HANDOVER_RECORDED = "handover.recorded", _("A handover was recorded")
        CASE_CLOSED = "case.closed", _("A case was closed")
        SUPPORTER_ERASED = "supporter.erased", _("A supporter's data was erased")

    # The message id receivers see (webhook-id): unique across databases, unlike the pk.
    uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    # Plain references, with no constraint and no index: an event names a case or a
    # supporter, it never stops one from going, and its insert locks and updates nothing
    # else (nothing looks events up by either).
    case = models.ForeignKey(
        UrgentAction,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    supporter = models.ForeignKey(
        Supporter,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    # The id of the row the event is about (a signature, a delivery, a reply…).
    object_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    # When a higher app turned it into its own rows (one per webhook endpoint).
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            # Only the rows still to fan out: small, whatever the table's size.
            models.Index(
                fields=["id"], name="event_to_fan_out", condition=Q(fanned_out_at__isnull=True)
            ),
            models.Index(fields=["occurred_at"], name="event_occurred"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
