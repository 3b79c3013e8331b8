"""A database made before the redesign (replies and handovers inside letters and petitions)
migrates to today's schema with every row, file and link intact and no data copied.

The test migrates the test database back to the last migrations of that release, writes a
row into every table that moved (and into those that gained columns) with the models as
they were then, migrates forward to the newest migrations and reads everything back with
today's models. It runs on PostgreSQL in CI and on SQLite.
"""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from campaigns.models import AnnouncementDelivery, BlockedEmailDomain
from campaigns.private_files import private_storage
from handovers.models import Handover, HandoverPack
from letters.models import Delivery, Letter
from replies.models import InboundMessage, Reply, ReplyAttachment, ReplyQuestion

# The last migration of each app in the release before the redesign (commit beae90f).
BEFORE = [
    ("campaigns", "0006_fewer_indexes_on_signing"),
    ("petitions", "0007_fewer_indexes_on_signing"),
    ("letters", "0006_letter_templates_in_any_language"),
    ("cms", "0001_initial"),
    ("replies", None),
    ("handovers", None),
]
MOVED = {
    "replies": ["inboundmessage", "reply", "replyattachment", "replyquestion"],
    "handovers": ["handoverpack", "handover"],
    "campaigns": ["blockedemaildomain"],
}


def migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    # Content types change their app label under the cache's feet.
    ContentType.objects.clear_cache()
    return MigrationExecutor(connection)


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def write_old_rows(registry) -> dict[str, int]:
    """One row in every table that moved or changed, through the models of the old release."""

    def model(label: str):
        return registry.get_model(*label.split("."))

    today = datetime.date(2026, 11, 20)
    case = model("campaigns.UrgentAction").objects.create(
        number="121/26",
        title="Shelters shut out of detention centres",
        category="detention",
        country="MX",
        status="open",
        opened_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC),
        issued_on=today,
        deadline=today + datetime.timedelta(days=30),
    )
    official = model("campaigns.Target").objects.create(
        name="Comisionado del INM",
        country="MX",
        language="es",
        salutation="Señor Comisionado",
        email="inm@example.org",
    )
    supporter = model("campaigns.Supporter").objects.create(
        email="ana@example.org",
        email_canonical="ana@example.org",
        name="Ana López",
        country="CA",
        city="Ottawa",
    )
    letter = model("letters.Letter").objects.create(
        case=case, supporter=supporter, subject="UA 121/26", body="Señor Comisionado: …"
    )
    letter.targets.set([official])
    delivery = model("letters.Delivery").objects.create(
        letter=letter, target=official, status="delivered", message_id="<m-1@example.org>"
    )
    inbound = model("letters.InboundMessage").objects.create(
        fingerprint="a" * 64, raw=b"From: inm@example.org\r\n\r\nRecibida.", size=34
    )
    reply = model("letters.Reply").objects.create(
        inbound=inbound,
        kind="reply",
        state="published",
        delivery=delivery,
        letter=letter,
        target=official,
        case=case,
        subject="Respuesta del INM",
        summary="The INM answered.",
    )
    attachment = model("letters.ReplyAttachment")(
        reply=reply, filename="oficio.pdf", content_type="application/pdf", size=9
    )
    attachment.file.save("oficio.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    question = model("letters.ReplyQuestion").objects.create(
        letter=letter, target=official, answer="by_email"
    )
    pack = model("petitions.HandoverPack").objects.create(
        action=case,
        recipient=official,
        status="ready",
        online_count=41,
        paper_count=2,
        fingerprint="f" * 64,
    )
    handover = model("petitions.Handover").objects.create(
        action=case,
        recipient=official,
        pack=pack,
        handed_over_on=today,
        place="Ciudad de México",
        delivered_by="Amnistía",
        count_delivered=43,
        fingerprint="f" * 64,
    )
    announcement = model("campaigns.Announcement").objects.create(
        action=case, kind="handover", reference=str(handover.pk), content={}
    )
    sent = model("campaigns.AnnouncementDelivery").objects.create(
        announcement=announcement, supporter=supporter, status="sent"
    )
    model("petitions.BlockedEmailDomain").objects.create(domain="spam.example", reason="test")
    return {
        "case": case.pk,
        "official": official.pk,
        "supporter": supporter.pk,
        "letter": letter.pk,
        "delivery": delivery.pk,
        "inbound": inbound.pk,
        "reply": reply.pk,
        "attachment": attachment.pk,
        "attachment_file": attachment.file.name,
        "question": question.pk,
        "pack": pack.pk,
        "handover": handover.pk,
        "announcement_delivery": sent.pk,
    }


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_redesign_keeps_every_row_and_link():
    try:
        old_state = [node for node in BEFORE if node[1] is not None]
        old_apps = migrate(BEFORE).loader.project_state(old_state).apps
        ids = write_old_rows(old_apps)
    finally:
        migrate(latest())

    assert not MigrationExecutor(connection).migration_plan(latest())
    # replies: the inbound message, the routed reply and its links, the file, the question.
    assert bytes(InboundMessage.objects.get(pk=ids["inbound"]).raw).endswith(b"Recibida.")
    reply = Reply.objects.get(pk=ids["reply"])
    assert (reply.inbound_id, reply.delivery_id, reply.letter_id) == (
        ids["inbound"],
        ids["delivery"],
        ids["letter"],
    )
    assert (reply.target_id, reply.case_id, reply.state) == (
        ids["official"],
        ids["case"],
        "published",
    )
    attachment = ReplyAttachment.objects.get(pk=ids["attachment"])
    assert attachment.reply_id == reply.pk and attachment.file.name == ids["attachment_file"]
    assert attachment.file.read() == b"%PDF-1.4\n"
    # It was written where media is served; the upgrade moved it to the private storage.
    assert private_storage().exists(attachment.file.name)
    assert not default_storage.exists(attachment.file.name)
    question = ReplyQuestion.objects.get(pk=ids["question"])
    assert (question.letter_id, question.target_id, question.answer) == (
        ids["letter"],
        ids["official"],
        "by_email",
    )
    assert Delivery.objects.get(pk=ids["delivery"]).replies.get() == reply
    # handovers: the pack and the handover that used it.
    pack = HandoverPack.objects.get(pk=ids["pack"])
    assert (pack.action_id, pack.recipient_id, pack.total) == (ids["case"], ids["official"], 43)
    handover = Handover.objects.get(pk=ids["handover"])
    assert (handover.pack, handover.count_delivered) == (pack, 43)
    # Letters now carry their writer's name: the one the supporter row had.
    letter = Letter.objects.get(pk=ids["letter"])
    assert (letter.name, letter.city, letter.country.code) == ("Ana López", "Ottawa", "CA")
    # Announcements gained the outbox's hand-out stamp; a sent row needs none.
    assert AnnouncementDelivery.objects.get(pk=ids["announcement_delivery"]).handed_out_at is None
    # The blocklist the defences of every form read.
    assert BlockedEmailDomain.objects.get(domain="spam.example").reason == "test"
    # Content types moved with their models, so permissions and admin history follow.
    for app_label, models in MOVED.items():
        assert set(
            ContentType.objects.filter(model__in=models).values_list("app_label", flat=True)
        ) == {app_label}
