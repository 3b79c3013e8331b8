"""Organizers register the organisation's endpoints and read the delivery log. Sending
letter and reply texts to an endpoint (send_texts_endpoint) is granted to no group: a
superuser gives it to whom they trust with supporters' words."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ORGANIZERS = "Organizers"
GRANTS = [
    "add_endpoint",
    "change_endpoint",
    "delete_endpoint",
    "view_endpoint",
    "view_webhookdelivery",
]


def _permissions(apps):
    app_config = apps.get_app_config("webhooks")
    app_config.models_module = True
    try:
        # On a fresh database permissions are created only after all migrations ran.
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    found = list(Permission.objects.filter(content_type__app_label="webhooks", codename__in=GRANTS))
    missing = set(GRANTS) - {p.codename for p in found}
    if missing:
        raise RuntimeError(f"Missing webhooks permissions: {sorted(missing)}")
    return found


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    organizers, _created = Group.objects.get_or_create(name=ORGANIZERS)
    organizers.permissions.add(*_permissions(apps))


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="webhooks", codename__in=GRANTS)
    for group in Group.objects.filter(name=ORGANIZERS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_endpoints_and_deliveries"),
        ("campaigns", "0003_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
