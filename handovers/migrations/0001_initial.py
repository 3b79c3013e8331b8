"""HandoverPack and Handover move here from petitions and keep their tables and rows.

Only Django's state changes: the models were petitions' (created in petitions 0004) and
are this app's now, with db_table set to the tables they always had; petitions 0008
forgets them. Their content types are renamed too, so that the permissions on them, and
every group's and user's grant of those permissions, follow them to this app.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ["handoverpack", "handover"]


def _rename_content_types(apps, *, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    # No content type of this app exists yet (it had no models before this migration):
    # Django creates them after migrating, and these renamed ones are then found.
    ContentType.objects.filter(app_label=old, model__in=MODELS).update(app_label=new)
    ContentType.objects.clear_cache()


def forwards(apps, schema_editor):
    _rename_content_types(apps, old="petitions", new="handovers")


def backwards(apps, schema_editor):
    _rename_content_types(apps, old="handovers", new="petitions")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("campaigns", "0006_fewer_indexes_on_signing"),
        ("petitions", "0007_fewer_indexes_on_signing"),
        ("wagtailimages", "0027_image_description"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="HandoverPack",
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
                            "language",
                            models.CharField(
                                blank=True, editable=False, max_length=10, verbose_name="language"
                            ),
                        ),
                        (
                            "include_names",
                            models.BooleanField(
                                default=True,
                                help_text="Only of signers who agreed to have their name passed on.",
                                verbose_name="include names",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("queued", "Queued"),
                                    ("building", "Building"),
                                    ("ready", "Ready"),
                                    ("failed", "Failed"),
                                ],
                                default="queued",
                                max_length=16,
                                verbose_name="status",
                            ),
                        ),
                        (
                            "progress",
                            models.PositiveSmallIntegerField(
                                default=0, verbose_name="progress (%)"
                            ),
                        ),
                        (
                            "counted_until",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="counted until"
                            ),
                        ),
                        (
                            "online_count",
                            models.PositiveIntegerField(
                                default=0, verbose_name="online signatures"
                            ),
                        ),
                        (
                            "paper_count",
                            models.PositiveIntegerField(default=0, verbose_name="paper signatures"),
                        ),
                        (
                            "named_count",
                            models.PositiveIntegerField(default=0, verbose_name="names listed"),
                        ),
                        (
                            "fingerprint",
                            models.CharField(
                                blank=True, db_index=True, max_length=64, verbose_name="fingerprint"
                            ),
                        ),
                        (
                            "pdf",
                            models.FileField(
                                blank=True, upload_to="handover-packs/", verbose_name="PDF"
                            ),
                        ),
                        (
                            "csv",
                            models.FileField(
                                blank=True, upload_to="handover-packs/", verbose_name="CSV"
                            ),
                        ),
                        ("error", models.TextField(blank=True, verbose_name="error")),
                        (
                            "requested_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="requested at"),
                        ),
                        (
                            "started_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="started at"),
                        ),
                        (
                            "finished_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="finished at"),
                        ),
                        (
                            "action",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="handover_packs",
                                to="campaigns.urgentaction",
                                verbose_name="case",
                            ),
                        ),
                        (
                            "recipient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="campaigns.target",
                                verbose_name="recipient",
                            ),
                        ),
                        (
                            "requested_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "delivery pack",
                        "verbose_name_plural": "delivery packs",
                        "db_table": "petitions_handoverpack",
                        "ordering": ["-requested_at"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("progress__lte", 100)),
                                name="handover_pack_progress_percent",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Handover",
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
                        ("handed_over_on", models.DateField(verbose_name="date")),
                        (
                            "place",
                            models.CharField(
                                help_text="For example: Ottawa",
                                max_length=200,
                                verbose_name="place",
                            ),
                        ),
                        (
                            "delivered_by",
                            models.CharField(max_length=200, verbose_name="delivered by"),
                        ),
                        (
                            "received_by",
                            models.CharField(
                                blank=True, max_length=200, verbose_name="received by"
                            ),
                        ),
                        (
                            "count_delivered",
                            models.PositiveIntegerField(verbose_name="messages delivered"),
                        ),
                        (
                            "fingerprint",
                            models.CharField(
                                blank=True, db_index=True, max_length=64, verbose_name="fingerprint"
                            ),
                        ),
                        (
                            "is_receipt_acknowledged",
                            models.BooleanField(default=False, verbose_name="receipt acknowledged"),
                        ),
                        ("notes", models.TextField(blank=True, verbose_name="notes")),
                        (
                            "recorded_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="recorded at"),
                        ),
                        (
                            "action",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="handovers",
                                to="campaigns.urgentaction",
                                verbose_name="case",
                            ),
                        ),
                        (
                            "photo",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="wagtailimages.image",
                                verbose_name="photo",
                            ),
                        ),
                        (
                            "recipient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="handovers",
                                to="campaigns.target",
                                verbose_name="recipient",
                            ),
                        ),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "pack",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="handovers",
                                to="handovers.handoverpack",
                                verbose_name="delivery pack",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "handover",
                        "verbose_name_plural": "handovers",
                        "db_table": "petitions_handover",
                        "ordering": ["-handed_over_on", "-pk"],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
