"""The email domain blocklist moves here from petitions and keeps its table and rows.

Every public form's defences read it now (campaigns/defences.py), so it belongs to the app
they all depend on. Only Django's state changes (petitions 0009 forgets the model); its
content type is renamed, so the editors' grants on it follow.
"""

from django.db import migrations, models


def _rename_content_type(apps, *, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label=old, model="blockedemaildomain").update(app_label=new)
    ContentType.objects.clear_cache()


def forwards(apps, schema_editor):
    _rename_content_type(apps, old="petitions", new="campaigns")


def backwards(apps, schema_editor):
    _rename_content_type(apps, old="campaigns", new="petitions")


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0007_announcement_hand_out"),
        # Where the table was made, filled and granted to editors.
        ("petitions", "0008_handovers_move_to_their_app"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="BlockedEmailDomain",
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
                            "domain",
                            models.CharField(
                                help_text="For example mailinator.com; its subdomains are blocked too.",
                                max_length=253,
                                unique=True,
                                verbose_name="domain",
                            ),
                        ),
                        (
                            "reason",
                            models.CharField(blank=True, max_length=200, verbose_name="reason"),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="added at"),
                        ),
                    ],
                    options={
                        "verbose_name": "blocked email domain",
                        "verbose_name_plural": "blocked email domains",
                        "db_table": "petitions_blockedemaildomain",
                        "ordering": ["domain"],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
