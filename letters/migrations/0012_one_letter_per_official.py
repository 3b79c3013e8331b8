"""One letter per supporter, official and case: LetterToOfficial, written when a letter
is confirmed, with a unique constraint that decides between racing confirmations.

The letters confirmed before it count: each (case, supporter, official) gets the first
letter delivered to it, in the order they were confirmed, and later ones (follow-ups to
an unanswered letter among them) are left out. Batches, so a large outbox never sits in
memory.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

BATCH = 5000


def record_letters_already_sent(apps, schema_editor):
    Delivery = apps.get_model("letters", "Delivery")
    LetterToOfficial = apps.get_model("letters", "LetterToOfficial")
    first = (
        Delivery.objects.exclude(letter__confirmed_at__isnull=True)
        .order_by("letter__confirmed_at", "letter_id", "target_id")
        .values_list(
            "letter__case_id",
            "letter__supporter_id",
            "target_id",
            "letter_id",
            "letter__confirmed_at",
        )
    )
    rows = []
    for case_id, supporter_id, target_id, letter_id, confirmed_at in first.iterator(BATCH):
        rows.append(
            LetterToOfficial(
                case_id=case_id,
                supporter_id=supporter_id,
                target_id=target_id,
                letter_id=letter_id,
                created_at=confirmed_at,
            )
        )
        if len(rows) == BATCH:
            LetterToOfficial.objects.bulk_create(rows, ignore_conflicts=True)
            rows = []
    LetterToOfficial.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0011_hold_permissions"),
        ("letters", "0011_organizers_watch_the_outbox_and_post_bundles"),
    ]

    operations = [
        migrations.CreateModel(
            name="LetterToOfficial",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "case",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="campaigns.urgentaction",
                    ),
                ),
                (
                    "letter",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="letters.letter",
                    ),
                ),
                (
                    "supporter",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="campaigns.supporter",
                    ),
                ),
                (
                    "target",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="campaigns.target",
                    ),
                ),
            ],
            options={
                "verbose_name": "letter to an official",
                "verbose_name_plural": "letters to officials",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("case", "supporter", "target"), name="one_letter_per_official"
                    )
                ],
            },
        ),
        migrations.RunPython(record_letters_already_sent, migrations.RunPython.noop),
    ]
