"""Organizers moderate solidarity messages (approve, reject, print the approved ones) and
read the actions supporters reported from offline. Nobody deletes either: a message is
rejected, not removed, and a reported action is a count."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ORGANIZERS = "Organizers"
GRANTS = ["view_solidaritymessage", "change_solidaritymessage", "view_reportedaction"]


def _permissions(apps):
    app_config = apps.get_app_config("petitions")
    app_config.models_module = True
    try:
        # On a fresh database permissions are created only after all migrations ran.
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    found = list(
        Permission.objects.filter(content_type__app_label="petitions", codename__in=GRANTS)
    )
    missing = set(GRANTS) - {p.codename for p in found}
    if missing:
        raise RuntimeError(f"Missing petitions permissions: {sorted(missing)}")
    return found


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    organizers, _created = Group.objects.get_or_create(name=ORGANIZERS)
    organizers.permissions.add(*_permissions(apps))


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="petitions", codename__in=GRANTS
    )
    for group in Group.objects.filter(name=ORGANIZERS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0011_signature_source"),
        # Creates the Organizers group and gives it admin access.
        ("campaigns", "0003_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
