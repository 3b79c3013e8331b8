"""What is announced to the supporters of a case, and to whom it went."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .cases import UrgentAction
from .supporters import Subscription, Supporter


class Announcement(models.Model):
    """One piece of news about a case, sent to everyone who agreed to hear it.

    Unique per (kind, reference): announcing the same follow-up, reply or handover twice
    is one announcement. ``content`` holds the subject and body per language, written
    when announced, so sending never needs the apps that know about replies or handovers.
    """

    class Kind(models.TextChoices):
        FOLLOW_UP = "follow_up", _("Follow-up")
        DEADLINE_EXTENDED = "deadline_extended", _("Deadline extended")
        REPLY = "reply", _("Reply from an official")
        HANDOVER = "handover", _("Handover")
        CLOSED = "closed", _("Case closed")
        NEW_CASE = "new_case", _("New case")

    action = models.ForeignKey(UrgentAction, on_delete=models.CASCADE, related_name="announcements")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    reference = models.CharField(_("reference"), max_length=100)
    content = models.JSONField(default=dict)
    # When set, only these supporters (among those who agreed to updates) are told: a
    # reply concerns the people who wrote to that official, not the whole case.
    supporter_ids = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "reference"], name="unique_announcement")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on UA {self.action.number}"

    def content_in(self, language: str) -> dict[str, str]:
        """{"subject", "body"} in ``language``, else the site's language, else any."""
        from django.conf import settings

        for code in (language, settings.LANGUAGE_CODE):
            if code in self.content:
                return self.content[code]
        return next(iter(self.content.values()), {"subject": str(self), "body": ""})


class AnnouncementDelivery(models.Model):
    """One announcement to one supporter: the row exists once, and is sent at most once."""

    wagtail_reference_index_ignore = True

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped")

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="deliveries"
    )
    supporter = models.ForeignKey(
        Supporter, on_delete=models.CASCADE, related_name="announcement_deliveries"
    )
    # New cases go to subscribers: their emails carry the subscription's own links.
    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When a worker was last handed this row (campaigns.outbox): a row handed out long ago
    # and still pending is handed out again; the claim keeps it to one email.
    handed_out_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("announcement delivery")
        verbose_name_plural = _("announcement deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "supporter"],
                name="one_delivery_per_announcement",
            )
        ]
        indexes = [models.Index(fields=["announcement", "status"], name="announcement_status")]

    def __str__(self) -> str:
        return f"Announcement #{self.announcement_id} to supporter #{self.supporter_id}"
