"""HandoverPack and Handover are the handovers app's now (handovers 0001, which keeps
their tables and rows): petitions only forgets them."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0007_fewer_indexes_on_signing"),
        ("handovers", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Handover"),
                migrations.DeleteModel(name="HandoverPack"),
            ],
            database_operations=[],
        ),
    ]
