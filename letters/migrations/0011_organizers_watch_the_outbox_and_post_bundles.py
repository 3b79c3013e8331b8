"""Organizers watch the outbox (deliveries, letters by official) and print and post the
bundles of officials who take letters on paper; they read the sample letters and the
officials' delivery policies. Editors, who publish a case with its sample letters
(DESIGN §1), manage sample letters and delivery policies.

`change_delivery` is what preparing, posting and returning a bundle checks; the admin's
edit form of a delivery stays refused to everyone (the outbox is written by the delivery
engine only: letters.wagtail_hooks).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ORGANIZERS = "Organizers"
EDITING_GROUPS = ["Editors", "Moderators"]
ORGANIZER_GRANTS = [
    "view_delivery",
    "change_delivery",
    "view_lettertemplate",
    "view_deliverypolicy",
]
EDITOR_GRANTS = [
    f"{action}_{model}"
    for action in ("add", "change", "delete", "view")
    for model in ("lettertemplate", "deliverypolicy")
]


def _permissions(apps, codenames):
    app_config = apps.get_app_config("letters")
    app_config.models_module = True
    try:
        # On a fresh database permissions are created only after all migrations ran.
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    found = list(
        Permission.objects.filter(content_type__app_label="letters", codename__in=codenames)
    )
    missing = set(codenames) - {p.codename for p in found}
    if missing:
        raise RuntimeError(f"Missing letters permissions: {sorted(missing)}")
    return found


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    organizers, _created = Group.objects.get_or_create(name=ORGANIZERS)
    organizers.permissions.add(*_permissions(apps, ORGANIZER_GRANTS))
    editor_permissions = _permissions(apps, EDITOR_GRANTS)
    for group in Group.objects.filter(name__in=EDITING_GROUPS):
        group.permissions.add(*editor_permissions)


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    letters = Permission.objects.filter(content_type__app_label="letters")
    for group in Group.objects.filter(name=ORGANIZERS):
        group.permissions.remove(*letters.filter(codename__in=ORGANIZER_GRANTS))
    for group in Group.objects.filter(name__in=EDITING_GROUPS):
        group.permissions.remove(*letters.filter(codename__in=EDITOR_GRANTS))


class Migration(migrations.Migration):
    dependencies = [
        ("letters", "0010_letter_source"),
        # Creates the Organizers group and gives it admin access.
        ("campaigns", "0003_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
