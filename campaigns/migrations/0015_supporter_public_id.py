"""Every supporter gets an opaque, stable public id (webhooks name supporters by it).

Three steps, because a default given to AddField is computed once and would give every
existing supporter the same id: add the column empty, give each row its own, then make it
required. PostgreSQL draws the ids itself in one statement (gen_random_uuid, PostgreSQL
13+); elsewhere (SQLite) row by row.
"""

import uuid

from django.db import migrations, models


def give_each_supporter_an_id(apps, schema_editor):
    Supporter = apps.get_model("campaigns", "Supporter")
    if schema_editor.connection.vendor == "postgresql":
        table = schema_editor.quote_name(Supporter._meta.db_table)
        schema_editor.execute(
            f"UPDATE {table} SET public_id = gen_random_uuid() WHERE public_id IS NULL"  # noqa: S608
        )
        return
    for pk in Supporter.objects.filter(public_id__isnull=True).values_list("pk", flat=True):
        Supporter.objects.filter(pk=pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0014_email_requests"),
    ]

    operations = [
        migrations.AddField(
            model_name="supporter",
            name="public_id",
            field=models.UUIDField(editable=False, null=True, verbose_name="public id"),
        ),
        migrations.RunPython(give_each_supporter_an_id, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="supporter",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, verbose_name="public id"),
        ),
    ]
