"""The reply models now belong to the replies app (replies/migrations/0001_initial.py).

Only Django's state changes: the tables stay, under their letters_* names, and are
replies' now. Dependents go first, so no model in the state points at a deleted one.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("letters", "0006_letter_templates_in_any_language"),
        ("replies", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ReplyAttachment"),
                migrations.DeleteModel(name="Reply"),
                migrations.DeleteModel(name="InboundMessage"),
                migrations.DeleteModel(name="ReplyQuestion"),
            ],
            database_operations=[],
        ),
    ]
