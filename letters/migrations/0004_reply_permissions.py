"""Organizers read and handle replies: the inbox, quarantine and reviews of uploads."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ORGANIZERS = "Organizers"
EDITING_GROUPS = ["Editors", "Moderators"]
GRANTS = ["view_reply", "change_reply", "view_replyquestion", "change_replyquestion"]


def _permissions(apps):
    app_config = apps.get_app_config("letters")
    app_config.models_module = True
    try:
        # On a fresh database permissions are created only after all migrations ran.
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    found = list(Permission.objects.filter(content_type__app_label="letters", codename__in=GRANTS))
    missing = set(GRANTS) - {p.codename for p in found}
    if missing:
        raise RuntimeError(f"Missing letters permissions: {sorted(missing)}")
    return found


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    permissions = _permissions(apps)
    organizers, _created = Group.objects.get_or_create(name=ORGANIZERS)
    organizers.permissions.add(*permissions)
    for group in Group.objects.filter(name__in=EDITING_GROUPS):
        group.permissions.add(*permissions)


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="letters", codename__in=GRANTS)
    for group in Group.objects.filter(name__in=[ORGANIZERS, *EDITING_GROUPS]):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("letters", "0003_replies"),
        # Creates the Organizers group and gives it admin access.
        ("campaigns", "0003_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
