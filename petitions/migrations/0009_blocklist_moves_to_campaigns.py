"""The blocklist is campaigns' now (campaigns 0008, which keeps its table): petitions
only forgets it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0008_handovers_move_to_their_app"),
        ("campaigns", "0008_blocklist_moves_here"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="BlockedEmailDomain")],
            database_operations=[],
        ),
    ]
