"""Organizers see a case's trending sources and the log of invalidations, and may invalidate
a source's sign-ups and letters and reverse it (actions.services.sources)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ORGANIZERS = "Organizers"
GRANTS = ["view_invalidation", "invalidate_source"]


def _permissions(apps):
    app_config = apps.get_app_config("campaigns")
    app_config.models_module = True
    try:
        # On a fresh database permissions are created only after all migrations ran.
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    found = list(
        Permission.objects.filter(content_type__app_label="campaigns", codename__in=GRANTS)
    )
    missing = set(GRANTS) - {p.codename for p in found}
    if missing:
        raise RuntimeError(f"Missing campaigns permissions: {sorted(missing)}")
    return found


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    organizers, _created = Group.objects.get_or_create(name=ORGANIZERS)
    organizers.permissions.add(*_permissions(apps))


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="campaigns", codename__in=GRANTS
    )
    for group in Group.objects.filter(name=ORGANIZERS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0012_trending_sources_and_invalidations"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
