"""HandoverPack and Handover moved from petitions with their rows and their permissions."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from campaigns.private_files import private_storage
from handovers.models import Handover, HandoverPack
from tests.factories import EmbassyFactory, UrgentActionFactory, UserFactory

LAST_BEFORE_THE_MOVE = ("petitions", "0007_fewer_indexes_on_signing")
BEFORE_THE_MOVE = [LAST_BEFORE_THE_MOVE, ("handovers", None)]
CODENAMES = [
    f"{verb}_{model}"
    for verb in ("add", "change", "delete", "view")
    for model in ("handoverpack", "handover")
]


def migrate(targets) -> None:
    MigrationExecutor(connection).migrate(targets)


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db
def test_the_handover_permissions_are_the_handovers_apps():
    """The strings the code checks (handovers.view_handoverpack…) name real permissions."""
    found = Permission.objects.filter(content_type__app_label="handovers", codename__in=CODENAMES)
    assert sorted(found.values_list("codename", flat=True)) == sorted(CODENAMES)
    assert not ContentType.objects.filter(
        app_label="petitions", model__in=["handoverpack", "handover"]
    ).exists()


# Migrating back and forth needs a schema editor outside the test's transaction on SQLite.
@pytest.mark.django_db(transaction=True)
def test_an_upgraded_database_keeps_its_packs_handovers_and_every_grant():
    # Made with today's models before going back: older migrations only drop their columns.
    action, recipient = UrgentActionFactory(), EmbassyFactory()
    migrate(BEFORE_THE_MOVE)
    try:
        old_apps = MigrationExecutor(connection).loader.project_state(LAST_BEFORE_THE_MOVE).apps
        OldPack = old_apps.get_model("petitions", "HandoverPack")
        OldHandover = old_apps.get_model("petitions", "Handover")
        pack = OldPack.objects.create(
            action_id=action.pk,
            recipient_id=recipient.pk,
            status="ready",
            online_count=34000,
            paper_count=1000,
            fingerprint="ab" * 32,
            counted_until=timezone.now(),
            # Where packs used to be written: the default storage, served under /media/.
            csv=default_storage.save("handover-packs/ua-1-pack-1.csv", ContentFile(b"Ana")),
        )
        handover = OldHandover.objects.create(
            action_id=action.pk,
            recipient_id=recipient.pk,
            pack_id=pack.pk,
            handed_over_on=datetime.date(2026, 11, 20),
            place="Ottawa",
            delivered_by="Section staff",
            count_delivered=35000,
        )
        # The grants a database may hold before the upgrade: the Organizers group's (none
        # from the migrations then, any an administrator added) and a user's own.
        old = Permission.objects.filter(content_type__app_label="petitions")
        organizers, _created = Group.objects.get_or_create(name="Organizers")
        organizers.permissions.add(*old.filter(codename__in=["view_handoverpack", "view_handover"]))
        granted = set(
            organizers.permissions.filter(codename__in=CODENAMES).values_list("codename", flat=True)
        )
        organizer = UserFactory()
        organizer.groups.add(organizers)
        organizer.user_permissions.add(old.get(codename="change_handover"))
    finally:
        migrate(latest())
        ContentType.objects.clear_cache()  # the migration renamed rows this process cached

    pack = HandoverPack.objects.get(pk=pack.pk)
    assert (pack.fingerprint, pack.total) == ("ab" * 32, 35000)
    assert pack.csv.name == "handover-packs/ua-1-pack-1.csv" and pack.csv.read() == b"Ana"
    assert not default_storage.exists(pack.csv.name)
    assert Handover.objects.get(pk=handover.pk).pack == pack
    now_granted = organizers.permissions.filter(
        content_type__app_label="handovers", codename__in=CODENAMES
    ).values_list("codename", flat=True)
    # Every grant kept, and what a later migration gives organizers (0003) added.
    organizers_grants = importlib.import_module(
        "handovers.migrations.0003_organizers_prepare_and_record_handovers"
    ).GRANTS
    assert set(now_granted) == granted | set(organizers_grants)
    organizer = type(organizer).objects.get(pk=organizer.pk)
    assert organizer.has_perm("handovers.view_handoverpack")
    assert organizer.has_perm("handovers.change_handover")
    assert not organizer.has_perm("petitions.view_handover")


# --- packs' files move to the private storage (0002) ---------------------------------


def run_private_files_migration(direction: str = "to_private") -> None:
    migration = importlib.import_module("handovers.migrations.0002_private_files")
    getattr(migration, direction)(apps, None)


@pytest.mark.django_db
def test_the_migration_moves_existing_pack_files_to_the_private_storage_once():
    pdf = default_storage.save("handover-packs/ua-121-26-pack-1.pdf", ContentFile(b"%PDF-1.7"))
    csv = default_storage.save("handover-packs/ua-121-26-pack-1.csv", ContentFile(b"Ana,MX\n"))
    # A pack deleted in the admin left its file behind; no row names it.
    orphan = default_storage.save("handover-packs/ua-9-26-pack-7.csv", ContentFile(b"Luis,MX\n"))
    pack = HandoverPack.objects.create(
        action=UrgentActionFactory(), recipient=EmbassyFactory(), status="ready", pdf=pdf, csv=csv
    )
    # A copy cut short by a crash in an earlier run is made again.
    private_storage().save(csv, ContentFile(b"An"))

    run_private_files_migration()
    run_private_files_migration()  # again: nothing moves twice, nothing is lost

    expected = {pdf: b"%PDF-1.7", csv: b"Ana,MX\n", orphan: b"Luis,MX\n"}
    for name, content in expected.items():
        assert private_storage().open(name).read() == content
        assert not default_storage.exists(name)
    pack.refresh_from_db()
    assert (pack.pdf.name, pack.csv.name) == (pdf, csv)
    assert pack.csv.read() == b"Ana,MX\n"


@pytest.mark.django_db
def test_the_migration_backwards_puts_pack_files_where_the_old_code_reads_them():
    name = private_storage().save("handover-packs/ua-1-26-pack-1.csv", ContentFile(b"Ana"))
    HandoverPack.objects.create(
        action=UrgentActionFactory(), recipient=EmbassyFactory(), status="ready", csv=name
    )
    run_private_files_migration("to_public")
    assert default_storage.open(name).read() == b"Ana" and not private_storage().exists(name)
