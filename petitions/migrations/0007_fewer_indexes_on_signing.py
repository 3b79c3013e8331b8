"""Two indexes fewer for every sign-up to write (petitions/records.py): signature.action
loses its own index (one_signature_per_supporter_per_action starts with the case), and
signature_action_status goes (each signature_report_* index starts with case and status).
Only the indexes go; the foreign key constraint stays as it is."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0006_fewer_indexes_on_signing"),
        ("petitions", "0006_confirmation_outbox"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="signature",
            name="signature_action_status",
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="signature",
                    name="action",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="signatures",
                        to="campaigns.urgentaction",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "petitions_signature_action_id_72e98082"',
                    'CREATE INDEX "petitions_signature_action_id_72e98082" '
                    'ON "petitions_signature" ("action_id")',
                ),
            ],
        ),
    ]
