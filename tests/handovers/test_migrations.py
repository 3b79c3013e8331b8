"""HandoverPack and Handover moved from petitions with their rows and their permissions."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

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
    migrate(BEFORE_THE_MOVE)
    try:
        old_apps = MigrationExecutor(connection).loader.project_state(LAST_BEFORE_THE_MOVE).apps
        action, recipient = UrgentActionFactory(), EmbassyFactory()
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
        # from the migrations, any an administrator added) and a user's own.
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
    assert Handover.objects.get(pk=handover.pk).pack == pack
    now_granted = organizers.permissions.filter(
        content_type__app_label="handovers", codename__in=CODENAMES
    ).values_list("codename", flat=True)
    assert set(now_granted) == granted
    organizer = type(organizer).objects.get(pk=organizer.pk)
    assert organizer.has_perm("handovers.view_handoverpack")
    assert organizer.has_perm("handovers.change_handover")
    assert not organizer.has_perm("petitions.view_handover")
