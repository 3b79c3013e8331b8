"""Packs' files move to the private storage, which nothing serves by URL.

They list signers' names and sat in the default storage, under MEDIA_ROOT, which `make
run` serves and an operator serves for case images: anyone with the address had them.
Each file is copied to the private storage under the same name, then deleted from the
default one; files under handover-packs/ that no pack names any more move too. Running
it again moves nothing twice (campaigns.private_files.move_files).
"""

from django.db import migrations, models

import campaigns.private_files

FOLDER = "handover-packs/"


def _names(apps) -> list[str]:
    packs = apps.get_model("handovers", "HandoverPack").objects.all()
    return [name for files in packs.values_list("pdf", "csv") for name in files]


def to_private(apps, schema_editor):
    campaigns.private_files.move_files(names=_names(apps), under=FOLDER)


def to_public(apps, schema_editor):
    campaigns.private_files.move_files(names=_names(apps), under=FOLDER, to_private=False)


class Migration(migrations.Migration):
    dependencies = [
        ("handovers", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="handoverpack",
            name="csv",
            field=models.FileField(
                blank=True,
                storage=campaigns.private_files.private_storage,
                upload_to="handover-packs/",
                verbose_name="CSV",
            ),
        ),
        migrations.AlterField(
            model_name="handoverpack",
            name="pdf",
            field=models.FileField(
                blank=True,
                storage=campaigns.private_files.private_storage,
                upload_to="handover-packs/",
                verbose_name="PDF",
            ),
        ),
        migrations.RunPython(to_private, to_public, elidable=False),
    ]
