"""Admin groups: Editors and Moderators manage cases; Organizers read them.

Wagtail's own migrations create Editors and Moderators (with page permissions and the
default "Moderators approval" workflow). This adds the case permissions to them and
creates Organizers, who may enter the admin and read cases and supporters but hold no
page permissions. Later apps add their own permissions to Organizers in their own
migrations.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CASE_MODELS = [
    "urgentaction",
    "target",
    "actiontarget",
    "followup",
    "followuptext",
    "deadlineextension",
]
ORGANIZER_EXTRA_MODELS = ["supporter", "consent"]
EDITING_GROUPS = ["Editors", "Moderators"]
ORGANIZERS = "Organizers"


def _ensure_permissions(apps) -> None:
    # On a fresh database Django creates permissions only after every migration has run
    # (post_migrate), so this migration creates the campaigns ones itself.
    app_config = apps.get_app_config("campaigns")
    app_config.models_module = True
    try:
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = None


def _permissions(apps, actions, models):
    Permission = apps.get_model("auth", "Permission")
    codenames = [f"{action}_{model}" for action in actions for model in models]
    permissions = list(
        Permission.objects.filter(content_type__app_label="campaigns", codename__in=codenames)
    )
    missing = set(codenames) - {p.codename for p in permissions}
    if missing:
        raise RuntimeError(f"Missing campaigns permissions: {sorted(missing)}")
    return permissions


def _access_admin(apps):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")


def add_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    _ensure_permissions(apps)
    access_admin = _access_admin(apps)

    editing = _permissions(apps, ["add", "change", "delete", "view"], CASE_MODELS)
    for name in EDITING_GROUPS:
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(access_admin, *editing)

    organizers, _created = Group.objects.get_or_create(name=ORGANIZERS)
    organizers.permissions.add(
        access_admin, *_permissions(apps, ["view"], CASE_MODELS + ORGANIZER_EXTRA_MODELS)
    )


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.filter(name=ORGANIZERS).delete()
    # access_admin stays: Wagtail's own migration gave it to Editors and Moderators.
    campaigns_permissions = Permission.objects.filter(
        content_type__app_label="campaigns",
        codename__in=[
            f"{action}_{model}"
            for action in ["add", "change", "delete", "view"]
            for model in CASE_MODELS
        ],
    )
    for group in Group.objects.filter(name__in=EDITING_GROUPS):
        group.permissions.remove(*campaigns_permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0002_supporters"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        # Creates the Editors and Moderators groups and the default workflow.
        ("wagtailcore", "0048_add_default_workflows"),
        # Creates wagtailadmin.access_admin.
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(add_groups, remove_groups)]
