"""Replies from officials: the raw inbound mail, the routed reply, its attachments and
the "did you get a reply?" questionnaire (supporters are told through announcements).

They began as models of the letters app and moved here without moving their data: each
keeps its letters_* table (db_table), and replies/migrations/0001_initial.py only takes
them over in the migration state.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Target, UrgentAction
from campaigns.private_files import private_storage

__all__ = ["InboundMessage", "Reply", "ReplyAttachment", "ReplyQuestion"]


class InboundMessage(models.Model):
    """An email received on the reply domain, stored raw before anything reads it.

    Kept once: a replay finds its ESP event id or its fingerprint (the envelope recipient
    with the Message-ID header, or with the raw bytes when there is none) taken.
    """

    # Not content: Wagtail's reference index would add a query and rows per message.
    wagtail_reference_index_ignore = True

    fingerprint = models.CharField(max_length=64, unique=True)
    esp_name = models.CharField(max_length=40, blank=True)
    esp_event_id = models.CharField(max_length=200, blank=True)
    envelope_recipient = models.CharField(_("envelope recipient"), max_length=320, blank=True)
    envelope_sender = models.CharField(_("envelope sender"), max_length=320, blank=True)
    is_spam = models.BooleanField(_("marked as spam by the email service"), default=False)
    raw = models.BinaryField()
    size = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(default=timezone.now)
    routed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "letters_inboundmessage"
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["esp_name", "esp_event_id"],
                condition=~Q(esp_event_id=""),
                name="unique_inbound_esp_event",
            )
        ]

    def __str__(self) -> str:
        return f"Inbound message #{self.pk}"


class Reply(models.Model):
    """An inbound message read and routed: to a delivery and its case, or to quarantine."""

    # Not content: Wagtail's reference index would add a query and rows per message.
    wagtail_reference_index_ignore = True

    class Kind(models.TextChoices):
        REPLY = "reply", _("Reply")
        AUTOMATIC = "automatic", _("Automatic answer")
        QUARANTINED = "quarantined", _("Quarantined")
        SPAM = "spam", _("Spam")

    class State(models.TextChoices):
        NEW = "new", _("New")
        READ = "read", _("Read")
        PUBLISHED = "published", _("Published")

    class RoutedBy(models.TextChoices):
        TOKEN = "token", _("Reply address")
        THREAD = "thread", _("In-Reply-To or References")
        HAND = "hand", _("Linked by hand")
        NONE = "", _("Not routed")

    inbound = models.OneToOneField(InboundMessage, on_delete=models.CASCADE, related_name="reply")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.NEW)
    routed_by = models.CharField(
        _("routed by"), max_length=8, choices=RoutedBy.choices, blank=True, default=""
    )
    quarantine_reason = models.CharField(_("why quarantined"), max_length=200, blank=True)
    delivery = models.ForeignKey(
        "letters.Delivery",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replies",
        verbose_name=_("delivery"),
    )
    letter = models.ForeignKey(
        "letters.Letter",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replies",
        verbose_name=_("letter"),
    )
    target = models.ForeignKey(
        Target,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replies",
        verbose_name=_("target"),
    )
    case = models.ForeignKey(
        UrgentAction,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replies",
        verbose_name=_("case"),
    )
    # Shown to organizers, never used to route: anyone can write any From or Subject.
    from_address = models.CharField(_("from"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    text = models.TextField(_("text"), blank=True)
    html = models.TextField(_("HTML (sanitised)"), blank=True)
    summary = models.TextField(
        _("summary for publication"),
        blank=True,
        help_text=_("For example: The Governor's office answered on 12 May."),
    )
    read_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "letters_reply"
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["case", "state"], name="reply_case_state"),
            models.Index(fields=["target", "kind"], name="reply_target_kind"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="published") | (Q(kind="reply") & Q(case__isnull=False)),
                name="reply_published_is_routed_reply",
            )
        ]

    def __str__(self) -> str:
        return self.subject or _("Reply #%(pk)s") % {"pk": self.pk}


def attachment_path(instance: "ReplyAttachment", filename: str) -> str:
    # Never the sender's file name on disk: it is untrusted input.
    return f"replies/{instance.reply_id}/{timezone.now():%Y%m%d%H%M%S%f}"


class ReplyAttachment(models.Model):
    """A file that came with a reply, kept if its content is an allowed type and size."""

    # Not content: Wagtail's reference index would add a query and rows per message.
    wagtail_reference_index_ignore = True

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="attachments")
    # Private: an official's letter may name supporters (wagtail_hooks streams it).
    file = models.FileField(upload_to=attachment_path, storage=private_storage, blank=True)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("type (from the content)"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    rejected_reason = models.CharField(_("why it was not kept"), max_length=200, blank=True)

    class Meta:
        db_table = "letters_replyattachment"
        verbose_name = _("reply attachment")
        verbose_name_plural = _("reply attachments")

    def __str__(self) -> str:
        return self.filename or f"attachment #{self.pk}"


def question_upload_path(instance: "ReplyQuestion", filename: str) -> str:
    return f"reply-uploads/{instance.pk}/{timezone.now():%Y%m%d%H%M%S%f}"


class ReplyQuestion(models.Model):
    """ "Did you get a reply?": asked once per letter and target, reminded at most once."""

    # Not content: Wagtail's reference index would add a query and rows per message.
    wagtail_reference_index_ignore = True

    class Answer(models.TextChoices):
        NONE = "", _("Not answered")
        BY_EMAIL = "by_email", _("Yes, by email")
        BY_POST = "by_post", _("Yes, by post")
        AUTOMATIC = "automatic", _("Only an automatic answer")
        NO = "no", _("No")
        NOT_SURE = "not_sure", _("Not sure")

    class Review(models.TextChoices):
        NONE = "", _("Nothing uploaded")
        WAITING = "waiting", _("Waiting for review")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    letter = models.ForeignKey(
        "letters.Letter", on_delete=models.CASCADE, related_name="reply_questions"
    )
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="reply_questions")
    created_at = models.DateTimeField(default=timezone.now)
    asked_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    answer = models.CharField(
        _("answer"), max_length=16, choices=Answer.choices, blank=True, default=""
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    # Private: a photo of a postal reply shows the supporter's name and address.
    upload = models.FileField(
        _("photo or PDF of the reply"),
        upload_to=question_upload_path,
        storage=private_storage,
        blank=True,
    )
    upload_content_type = models.CharField(max_length=100, blank=True)
    upload_state = models.CharField(
        _("review"), max_length=16, choices=Review.choices, blank=True, default=""
    )
    uploaded_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    follow_up_letter = models.OneToOneField(
        "letters.Letter",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follows_up",
        verbose_name=_("follow-up letter"),
    )

    class Meta:
        db_table = "letters_replyquestion"
        verbose_name = _("reply question")
        verbose_name_plural = _("reply questions")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "target"], name="unique_reply_question")
        ]
        indexes = [models.Index(fields=["upload_state"], name="reply_question_upload")]

    def __str__(self) -> str:
        return f"Reply question #{self.pk}"
