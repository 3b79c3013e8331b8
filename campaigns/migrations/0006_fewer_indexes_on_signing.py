"""Two indexes fewer for every sign-up to write (petitions/records.py).

- consent.action loses its own index: consent_action_kind starts with the case.
- supporter.email_canonical stays unique through a named constraint instead of
  unique=True, which on PostgreSQL also built a LIKE index that no query uses.

The unique index is rebuilt under its new name: a few seconds per million supporters,
during which sign-ups wait.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0005_announcement_supporter_ids"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="consent",
                    name="action",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="consents",
                        to="campaigns.urgentaction",
                    ),
                ),
            ],
            # Only the index goes; the foreign key constraint stays as it is.
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "campaigns_consent_action_id_10460c47"',
                    'CREATE INDEX "campaigns_consent_action_id_10460c47" '
                    'ON "campaigns_consent" ("action_id")',
                ),
            ],
        ),
        migrations.AlterField(
            model_name="supporter",
            name="email_canonical",
            field=models.CharField(editable=False, max_length=254),
        ),
        migrations.AddConstraint(
            model_name="supporter",
            constraint=models.UniqueConstraint(
                fields=("email_canonical",), name="one_supporter_per_email"
            ),
        ),
    ]
