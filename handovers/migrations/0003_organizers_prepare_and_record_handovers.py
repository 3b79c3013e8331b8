"""Organizers prepare and record handovers (DESIGN §1): they build delivery packs, record
a handover with its photo and correct the record afterwards (the receipt acknowledged, a
photo added), and so open the case dashboards, which are theirs. They neither edit nor
delete a pack (the task builds it and its fingerprint), nor delete a handover.

The photo is a Wagtail image: Organizers may upload one and choose among the library's
(on the root collection), never change or delete an image a page uses.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ORGANIZERS = "Organizers"
GRANTS = [
    "view_handoverpack",
    "add_handoverpack",
    "view_handover",
    "add_handover",
    "change_handover",
]
IMAGE_GRANTS = ["add_image", "choose_image"]


def _permissions(apps):
    app_config = apps.get_app_config("handovers")
    app_config.models_module = True
    try:
        # On a fresh database permissions are created only after all migrations ran.
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    found = list(
        Permission.objects.filter(content_type__app_label="handovers", codename__in=GRANTS)
    )
    missing = set(GRANTS) - {p.codename for p in found}
    if missing:
        raise RuntimeError(f"Missing handovers permissions: {sorted(missing)}")
    return found


def _image_permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    # Wagtail's own migrations create these two.
    return list(
        Permission.objects.filter(
            content_type__app_label="wagtailimages", codename__in=IMAGE_GRANTS
        )
    )


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    organizers, _created = Group.objects.get_or_create(name=ORGANIZERS)
    organizers.permissions.add(*_permissions(apps))
    root = Collection.objects.filter(depth=1).first()
    if root is not None:
        for permission in _image_permissions(apps):
            # By id: the models another app's state rendered are not always this one's.
            GroupCollectionPermission.objects.get_or_create(
                group_id=organizers.pk, collection_id=root.pk, permission_id=permission.pk
            )


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    permissions = Permission.objects.filter(
        content_type__app_label="handovers", codename__in=GRANTS
    )
    for group in Group.objects.filter(name=ORGANIZERS):
        group.permissions.remove(*permissions)
        GroupCollectionPermission.objects.filter(
            group_id=group.pk,
            collection__depth=1,
            permission_id__in=[p.pk for p in _image_permissions(apps)],
        ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("handovers", "0002_private_files"),
        # Creates the Organizers group and gives it admin access.
        ("campaigns", "0003_groups"),
        # Creates choose_image and the root collection's image permissions.
        ("wagtailimages", "0023_add_choose_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
