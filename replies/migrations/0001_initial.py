"""Replies become an app of their own: their four models move here from letters.

Nothing in the database moves: each model keeps its letters_* table (Meta.db_table), so
this migration changes only Django's state, and letters 0007 removes them from letters'
state. The content types are renamed so that permissions ("letters.change_reply" becomes
"replies.change_reply"), group grants, admin and Wagtail log entries follow the models.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import IntegrityError, migrations, models, transaction

import replies.models

MODELS = ["inboundmessage", "reply", "replyattachment", "replyquestion"]


def _relabel(apps, schema_editor, *, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        try:
            with transaction.atomic(using=db):
                ContentType.objects.using(db).filter(app_label=old, model=model).update(
                    app_label=new
                )
        except IntegrityError:
            # A content type already there under the new label (a stale one) keeps its
            # rows; remove_stale_contenttypes then asks what to do, as Django's own
            # RenameModel does.
            pass
    ContentType.objects.clear_cache()


def content_types_to_replies(apps, schema_editor):
    _relabel(apps, schema_editor, old="letters", new="replies")


def content_types_to_letters(apps, schema_editor):
    _relabel(apps, schema_editor, old="replies", new="letters")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("campaigns", "0006_fewer_indexes_on_signing"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("letters", "0006_letter_templates_in_any_language"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="InboundMessage",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("fingerprint", models.CharField(max_length=64, unique=True)),
                        ("esp_name", models.CharField(blank=True, max_length=40)),
                        ("esp_event_id", models.CharField(blank=True, max_length=200)),
                        (
                            "envelope_recipient",
                            models.CharField(
                                blank=True, max_length=320, verbose_name="envelope recipient"
                            ),
                        ),
                        (
                            "envelope_sender",
                            models.CharField(
                                blank=True, max_length=320, verbose_name="envelope sender"
                            ),
                        ),
                        (
                            "is_spam",
                            models.BooleanField(
                                default=False, verbose_name="marked as spam by the email service"
                            ),
                        ),
                        ("raw", models.BinaryField()),
                        ("size", models.PositiveIntegerField(default=0)),
                        ("received_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("routed_at", models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        "verbose_name": "inbound message",
                        "verbose_name_plural": "inbound messages",
                        "db_table": "letters_inboundmessage",
                        "ordering": ["-received_at"],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("esp_event_id", ""), _negated=True),
                                fields=("esp_name", "esp_event_id"),
                                name="unique_inbound_esp_event",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Reply",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("reply", "Reply"),
                                    ("automatic", "Automatic answer"),
                                    ("quarantined", "Quarantined"),
                                    ("spam", "Spam"),
                                ],
                                max_length=16,
                                verbose_name="kind",
                            ),
                        ),
                        (
                            "state",
                            models.CharField(
                                choices=[
                                    ("new", "New"),
                                    ("read", "Read"),
                                    ("published", "Published"),
                                ],
                                default="new",
                                max_length=16,
                                verbose_name="state",
                            ),
                        ),
                        (
                            "routed_by",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("token", "Reply address"),
                                    ("thread", "In-Reply-To or References"),
                                    ("hand", "Linked by hand"),
                                    ("", "Not routed"),
                                ],
                                default="",
                                max_length=8,
                                verbose_name="routed by",
                            ),
                        ),
                        (
                            "quarantine_reason",
                            models.CharField(
                                blank=True, max_length=200, verbose_name="why quarantined"
                            ),
                        ),
                        (
                            "from_address",
                            models.CharField(blank=True, max_length=320, verbose_name="from"),
                        ),
                        (
                            "subject",
                            models.CharField(blank=True, max_length=500, verbose_name="subject"),
                        ),
                        (
                            "message_id",
                            models.CharField(blank=True, max_length=300, verbose_name="Message-ID"),
                        ),
                        (
                            "sent_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="sent"),
                        ),
                        (
                            "received_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="received"
                            ),
                        ),
                        ("text", models.TextField(blank=True, verbose_name="text")),
                        ("html", models.TextField(blank=True, verbose_name="HTML (sanitised)")),
                        (
                            "summary",
                            models.TextField(
                                blank=True,
                                help_text="For example: The Governor's office answered on 12 May.",
                                verbose_name="summary for publication",
                            ),
                        ),
                        ("read_at", models.DateTimeField(blank=True, null=True)),
                        ("published_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "case",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="replies",
                                to="campaigns.urgentaction",
                                verbose_name="case",
                            ),
                        ),
                        (
                            "delivery",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="replies",
                                to="letters.delivery",
                                verbose_name="delivery",
                            ),
                        ),
                        (
                            "inbound",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reply",
                                to="replies.inboundmessage",
                            ),
                        ),
                        (
                            "letter",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="replies",
                                to="letters.letter",
                                verbose_name="letter",
                            ),
                        ),
                        (
                            "published_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "target",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="replies",
                                to="campaigns.target",
                                verbose_name="target",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "reply",
                        "verbose_name_plural": "replies",
                        "db_table": "letters_reply",
                        "ordering": ["-received_at"],
                    },
                ),
                migrations.CreateModel(
                    name="ReplyAttachment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "file",
                            models.FileField(blank=True, upload_to=replies.models.attachment_path),
                        ),
                        (
                            "filename",
                            models.CharField(blank=True, max_length=255, verbose_name="file name"),
                        ),
                        (
                            "content_type",
                            models.CharField(
                                blank=True, max_length=100, verbose_name="type (from the content)"
                            ),
                        ),
                        (
                            "size",
                            models.PositiveIntegerField(default=0, verbose_name="size in bytes"),
                        ),
                        (
                            "rejected_reason",
                            models.CharField(
                                blank=True, max_length=200, verbose_name="why it was not kept"
                            ),
                        ),
                        (
                            "reply",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="attachments",
                                to="replies.reply",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "reply attachment",
                        "verbose_name_plural": "reply attachments",
                        "db_table": "letters_replyattachment",
                    },
                ),
                migrations.CreateModel(
                    name="ReplyQuestion",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("asked_at", models.DateTimeField(blank=True, null=True)),
                        ("reminded_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "answer",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("", "Not answered"),
                                    ("by_email", "Yes, by email"),
                                    ("by_post", "Yes, by post"),
                                    ("automatic", "Only an automatic answer"),
                                    ("no", "No"),
                                    ("not_sure", "Not sure"),
                                ],
                                default="",
                                max_length=16,
                                verbose_name="answer",
                            ),
                        ),
                        ("answered_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "upload",
                            models.FileField(
                                blank=True,
                                upload_to=replies.models.question_upload_path,
                                verbose_name="photo or PDF of the reply",
                            ),
                        ),
                        ("upload_content_type", models.CharField(blank=True, max_length=100)),
                        (
                            "upload_state",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("", "Nothing uploaded"),
                                    ("waiting", "Waiting for review"),
                                    ("accepted", "Accepted"),
                                    ("rejected", "Rejected"),
                                ],
                                default="",
                                max_length=16,
                                verbose_name="review",
                            ),
                        ),
                        ("uploaded_at", models.DateTimeField(blank=True, null=True)),
                        ("reviewed_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "follow_up_letter",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="follows_up",
                                to="letters.letter",
                                verbose_name="follow-up letter",
                            ),
                        ),
                        (
                            "letter",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reply_questions",
                                to="letters.letter",
                            ),
                        ),
                        (
                            "reviewed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "target",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reply_questions",
                                to="campaigns.target",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "reply question",
                        "verbose_name_plural": "reply questions",
                        "db_table": "letters_replyquestion",
                        "ordering": ["-created_at"],
                    },
                ),
                migrations.AddIndex(
                    model_name="reply",
                    index=models.Index(fields=["case", "state"], name="reply_case_state"),
                ),
                migrations.AddIndex(
                    model_name="reply",
                    index=models.Index(fields=["target", "kind"], name="reply_target_kind"),
                ),
                migrations.AddConstraint(
                    model_name="reply",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("state", "published"), _negated=True),
                            models.Q(("kind", "reply"), ("case__isnull", False)),
                            _connector="OR",
                        ),
                        name="reply_published_is_routed_reply",
                    ),
                ),
                migrations.AddIndex(
                    model_name="replyquestion",
                    index=models.Index(fields=["upload_state"], name="reply_question_upload"),
                ),
                migrations.AddConstraint(
                    model_name="replyquestion",
                    constraint=models.UniqueConstraint(
                        fields=("letter", "target"), name="unique_reply_question"
                    ),
                ),
            ],
            # The tables are letters' (0003_replies) and stay as they are.
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_replies, content_types_to_letters),
    ]
