"""A letter carries the name, city and country its form was given.

Letters written before took them from the supporter row at sending time, so the copy made
here is what they would have been signed with.
"""

import django_countries.fields
from django.db import migrations, models


def copy_writers(apps, schema_editor):
    Letter = apps.get_model("letters", "Letter")
    Supporter = apps.get_model("campaigns", "Supporter")
    for supporter in Supporter.objects.filter(letters__isnull=False).distinct().iterator():
        Letter.objects.filter(supporter=supporter, name="").update(
            name=supporter.name, city=supporter.city, country=supporter.country
        )


class Migration(migrations.Migration):
    dependencies = [
        ("letters", "0007_replies_move_to_their_own_app"),
    ]

    operations = [
        migrations.AddField(
            model_name="letter",
            name="city",
            field=models.CharField(blank=True, default="", max_length=100, verbose_name="city"),
        ),
        migrations.AddField(
            model_name="letter",
            name="country",
            field=django_countries.fields.CountryField(
                blank=True, default="", max_length=2, verbose_name="country"
            ),
        ),
        migrations.AddField(
            model_name="letter",
            name="name",
            field=models.CharField(default="", max_length=120, verbose_name="name"),
        ),
        migrations.RunPython(copy_writers, migrations.RunPython.noop),
    ]
