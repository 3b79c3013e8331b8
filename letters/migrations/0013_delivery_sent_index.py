"""An index of the letters sent, for the latency metric (config/metrics.py).

Built CONCURRENTLY on PostgreSQL: the deliveries table is the biggest there is, and a
plain CREATE INDEX would hold every send and tracking event for as long as it takes.
"""

from django.db import migrations, models


class AddIndexConcurrentlyOnPostgres(migrations.AddIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.add_index(model, self.index, concurrently=True)
        else:
            schema_editor.add_index(model, self.index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.remove_index(model, self.index, concurrently=True)
        else:
            schema_editor.remove_index(model, self.index)


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("letters", "0012_one_letter_per_official"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="delivery",
            index=models.Index(
                condition=models.Q(("sent_at__isnull", False)),
                fields=["sent_at"],
                name="delivery_sent",
            ),
        ),
    ]
