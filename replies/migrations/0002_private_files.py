"""Reply attachments and uploaded postal replies move to the private storage, which
nothing serves by URL.

They sat in the default storage, under MEDIA_ROOT, which `make run` serves and an
operator serves for case images: anyone with the address had an official's letter, or a
photo of a supporter's post with their name and address. Each file is copied to the
private storage under the same name, then deleted from the default one; files in their
folders that no row names any more move too. Running it again moves nothing twice
(campaigns.private_files.move_files).
"""

from django.db import migrations, models

import campaigns.private_files
import replies.models

# The folders of replies.models.attachment_path and question_upload_path.
FOLDERS = {"ReplyAttachment": ("file", "replies/"), "ReplyQuestion": ("upload", "reply-uploads/")}


def _move(apps, *, to_private: bool) -> None:
    for model, (field, folder) in FOLDERS.items():
        rows = apps.get_model("replies", model).objects.exclude(**{field: ""})
        campaigns.private_files.move_files(
            names=rows.values_list(field, flat=True), under=folder, to_private=to_private
        )


def to_private(apps, schema_editor):
    _move(apps, to_private=True)


def to_public(apps, schema_editor):
    _move(apps, to_private=False)


class Migration(migrations.Migration):
    dependencies = [
        ("replies", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="replyattachment",
            name="file",
            field=models.FileField(
                blank=True,
                storage=campaigns.private_files.private_storage,
                upload_to=replies.models.attachment_path,
            ),
        ),
        migrations.AlterField(
            model_name="replyquestion",
            name="upload",
            field=models.FileField(
                blank=True,
                storage=campaigns.private_files.private_storage,
                upload_to=replies.models.question_upload_path,
                verbose_name="photo or PDF of the reply",
            ),
        ),
        migrations.RunPython(to_private, to_public, elidable=False),
    ]
