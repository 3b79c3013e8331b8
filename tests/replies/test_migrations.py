"""The reply models moved from letters to replies without their data moving: the tables,
the rows and the grants of a database made before the move are there after it."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from campaigns.private_files import private_storage
from replies.models import InboundMessage, Reply, ReplyAttachment, ReplyQuestion
from tests.factories import DeliveryFactory, UserFactory

MODELS = ["inboundmessage", "reply", "replyattachment", "replyquestion"]
GRANTS = ["view_reply", "change_reply", "view_replyquestion", "change_replyquestion"]
BEFORE = [("letters", "0006_letter_templates_in_any_language"), ("replies", None)]


def _latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    # The models' content types changed label under the cache's feet.
    ContentType.objects.clear_cache()
    return MigrationExecutor(connection)


@pytest.mark.django_db
def test_the_groups_hold_the_reply_permissions_under_the_replies_label():
    for name in ["Organizers", "Editors", "Moderators"]:
        held = Group.objects.get(name=name).permissions.filter(content_type__app_label="replies")
        assert set(held.values_list("codename", flat=True)) >= set(GRANTS), name
    organizer = UserFactory(is_staff=True)
    organizer.groups.add(Group.objects.get(name="Organizers"))
    assert organizer.has_perm("replies.change_reply")
    assert organizer.has_perm("replies.view_replyquestion")
    assert not organizer.has_perm("letters.change_reply")
    assert not ContentType.objects.filter(app_label="letters", model__in=MODELS).exists()


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_move_keeps_its_rows_and_grants():
    # Its own group: a transactional test that ran earlier flushed the migrations' groups.
    delivery = DeliveryFactory()
    handlers = Group.objects.create(name="Reply handlers")
    try:
        old = _migrate(BEFORE).loader.project_state(BEFORE[0]).apps
        # As letters left it: its content types, its grants, its models on these tables.
        granted = Permission.objects.filter(codename__in=GRANTS)
        assert {p.content_type.app_label for p in granted} == {"letters"}
        handlers.permissions.add(*granted)
        granted = set(handlers.permissions.values_list("pk", flat=True))
        inbound = old.get_model("letters", "InboundMessage").objects.create(
            fingerprint="f" * 64, raw=b"From: x\r\n\r\nhello"
        )
        reply = old.get_model("letters", "Reply").objects.create(
            inbound_id=inbound.pk,
            kind="reply",
            delivery_id=delivery.pk,
            letter_id=delivery.letter_id,
            target_id=delivery.target_id,
            case_id=delivery.letter.case_id,
            subject="Respuesta del Gobernador",
        )
        attachment = old.get_model("letters", "ReplyAttachment")(
            reply_id=reply.pk, filename="carta.pdf", content_type="application/pdf", size=9
        )
        attachment.file.save("carta.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
        question = old.get_model("letters", "ReplyQuestion").objects.create(
            letter_id=delivery.letter_id, target_id=delivery.target_id, answer="by_post"
        )
    finally:
        _migrate(_latest())

    assert bytes(InboundMessage.objects.get().raw) == b"From: x\r\n\r\nhello"
    moved = Reply.objects.get()
    assert (moved.pk, moved.delivery, moved.subject) == (
        reply.pk,
        delivery,
        "Respuesta del Gobernador",
    )
    kept = ReplyAttachment.objects.get(reply=moved)
    assert kept.file.name == attachment.file.name and kept.file.read() == b"%PDF-1.4\n"
    # Written where media is served before the upgrade; private after it.
    assert private_storage().exists(kept.file.name)
    assert not default_storage.exists(kept.file.name)
    assert ReplyQuestion.objects.get().pk == question.pk
    assert delivery.letter.reply_questions.get().answer == ReplyQuestion.Answer.BY_POST
    # The same permission rows, relabelled: every grant follows without being made again.
    assert Permission.objects.get(codename="change_reply").content_type.app_label == "replies"
    assert set(handlers.permissions.values_list("pk", flat=True)) == granted
    member = UserFactory(is_staff=True)
    member.groups.add(handlers)
    assert member.has_perm("replies.change_reply") and member.has_perm("replies.view_replyquestion")
    executor = MigrationExecutor(connection)
    assert not executor.migration_plan(executor.loader.graph.leaf_nodes())


# --- attachments and uploads move to the private storage (0002) ----------------------


def run_private_files_migration(direction: str = "to_private") -> None:
    migration = importlib.import_module("replies.migrations.0002_private_files")
    getattr(migration, direction)(apps, None)


@pytest.mark.django_db
def test_the_migration_moves_existing_attachments_and_uploads_to_the_private_storage():
    delivery = DeliveryFactory()
    inbound = InboundMessage.objects.create(fingerprint="f" * 64, raw=b"")
    reply = Reply.objects.create(inbound=inbound, kind=Reply.Kind.QUARANTINED)
    letter_name = default_storage.save(f"replies/{reply.pk}/20261120", ContentFile(b"%PDF-1.4"))
    photo_name = default_storage.save("reply-uploads/1/20261121", ContentFile(b"\x89PNG"))
    attachment = ReplyAttachment.objects.create(reply=reply, file=letter_name, size=8)
    question = ReplyQuestion.objects.create(
        letter=delivery.letter, target=delivery.target, upload=photo_name
    )

    run_private_files_migration()
    run_private_files_migration()  # again: nothing moves twice, nothing is lost

    for name, content in {letter_name: b"%PDF-1.4", photo_name: b"\x89PNG"}.items():
        assert private_storage().open(name).read() == content
        assert not default_storage.exists(name)
    attachment.refresh_from_db()
    question.refresh_from_db()
    assert attachment.file.read() == b"%PDF-1.4" and question.upload.read() == b"\x89PNG"

    run_private_files_migration("to_public")
    assert default_storage.exists(letter_name) and not private_storage().exists(letter_name)
