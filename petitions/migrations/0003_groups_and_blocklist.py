"""Petitions permissions for the admin groups, and the default blocklist.

Organizers read everything here, record paper signatures and may export signatures;
Editors set up each case's petition and keep the blocklist. The blocklist starts with
well-known disposable-address services; editors may remove any of them.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ORGANIZERS = "Organizers"
EDITING_GROUPS = ["Editors", "Moderators"]
MODELS = [
    "petition",
    "petitiontext",
    "signature",
    "blockedemaildomain",
    "papertally",
    "papersignature",
    "exportlog",
]
ORGANIZER_GRANTS = (
    [f"view_{model}" for model in MODELS]
    + [
        f"{action}_{model}"
        for action in ("add", "change")
        for model in ("papertally", "papersignature")
    ]
    + ["export_signatures"]
)
EDITOR_GRANTS = [
    "add_petition",
    "change_petition",
    "view_petition",
    "add_blockedemaildomain",
    "change_blockedemaildomain",
    "delete_blockedemaildomain",
    "view_blockedemaildomain",
]

DISPOSABLE_DOMAINS = [
    "10minutemail.com",
    "20minutemail.com",
    "discard.email",
    "dispostable.com",
    "emailondeck.com",
    "fakeinbox.com",
    "getairmail.com",
    "getnada.com",
    "guerrillamail.com",
    "guerrillamail.net",
    "guerrillamailblock.com",
    "mailcatch.com",
    "maildrop.cc",
    "mailinator.com",
    "mailnesia.com",
    "mintemail.com",
    "mohmal.com",
    "mytemp.email",
    "sharklasers.com",
    "spamgourmet.com",
    "temp-mail.org",
    "tempail.com",
    "tempmail.com",
    "tempmailo.com",
    "throwawaymail.com",
    "trashmail.com",
    "yopmail.com",
]


def _permissions(apps, codenames):
    app_config = apps.get_app_config("petitions")
    app_config.models_module = True
    try:
        # On a fresh database permissions are created only after all migrations ran.
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    found = list(
        Permission.objects.filter(content_type__app_label="petitions", codename__in=codenames)
    )
    missing = set(codenames) - {p.codename for p in found}
    if missing:
        raise RuntimeError(f"Missing petitions permissions: {sorted(missing)}")
    return found


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    organizers, _created = Group.objects.get_or_create(name=ORGANIZERS)
    organizers.permissions.add(*_permissions(apps, ORGANIZER_GRANTS))
    editor_permissions = _permissions(apps, EDITOR_GRANTS)
    for group in Group.objects.filter(name__in=EDITING_GROUPS):
        group.permissions.add(*editor_permissions)

    BlockedEmailDomain = apps.get_model("petitions", "BlockedEmailDomain")
    BlockedEmailDomain.objects.bulk_create(
        [BlockedEmailDomain(domain=d, reason="disposable addresses") for d in DISPOSABLE_DOMAINS],
        ignore_conflicts=True,
    )


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="petitions", codename__in=ORGANIZER_GRANTS + EDITOR_GRANTS
    )
    for group in Group.objects.filter(name__in=[ORGANIZERS, *EDITING_GROUPS]):
        group.permissions.remove(*permissions)
    apps.get_model("petitions", "BlockedEmailDomain").objects.filter(
        domain__in=DISPOSABLE_DOMAINS, reason="disposable addresses"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0002_abuse_paper_exports"),
        # Creates the Organizers group and gives it admin access.
        ("campaigns", "0003_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
