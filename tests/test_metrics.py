"""/metrics: off without a token, refused without the right one; figures read from the
database when scraped, each from an index whatever the size of the tables."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from campaigns.models import Announcement, AnnouncementDelivery, EmailRequest, Supporter
from config import metrics
from letters.models import Delivery, Letter
from letters.services.pacing import ensure_policy
from petitions import counts
from petitions.models import Signature
from tests.factories import (
    DeliveryFactory,
    SignatureFactory,
    SupporterFactory,
    TargetFactory,
    UrgentActionFactory,
)

TOKEN = "s3cret-metrics-token"
AUTH = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}


@pytest.fixture
def token(settings):
    settings.PLUMA_METRICS_TOKEN = TOKEN


def scrape(client) -> dict[str, dict[tuple, float]]:
    """{sample name: {labels as sorted pairs: value}} of a scrape."""
    response = client.get("/metrics", **AUTH)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert response["Cache-Control"] == "no-store"
    samples: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def test_metrics_are_off_without_a_token(client, settings):
    settings.PLUMA_METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.parametrize(
    "header", [None, f"Bearer {TOKEN}x", f"Basic {TOKEN}", f"bearer{TOKEN}", TOKEN]
)
def test_metrics_want_the_token(client, token, header, caplog):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/metrics", **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"pluma_" not in response.content
    assert not [record for record in caplog.records if record.name == "django.request"]


@pytest.mark.django_db
def test_the_figures_come_from_the_rows(client, token):
    now = timezone.now()
    case = UrgentActionFactory()
    counts.add_confirmed(action_id=case.pk, by=41)
    counts.add_confirmed(action_id=UrgentActionFactory().pk, by=1)
    target = TargetFactory()
    ensure_policy(target=target)

    def delivery(status: str, **fields) -> Delivery:
        return DeliveryFactory(target=target, letter__case=case, status=status, **fields)

    delivery("queued", next_attempt_at=now - datetime.timedelta(seconds=90))
    delivery("queued", next_attempt_at=now - datetime.timedelta(seconds=30))
    delivery("queued", next_attempt_at=now + datetime.timedelta(hours=1))  # paced: not due
    delivery("sending")
    delivery("bounced")
    for _ in range(2):
        delivery("failed")
    # Sent in the window: after 20 s and after 2 hours. Sent before it: not counted.
    delivery(
        "sent",
        queued_at=now - datetime.timedelta(seconds=80),
        sent_at=now - datetime.timedelta(seconds=60),
    )
    delivery(
        "delivered",
        queued_at=now - datetime.timedelta(hours=2),
        sent_at=now - datetime.timedelta(minutes=1),
    )
    delivery(
        "sent",
        queued_at=now - datetime.timedelta(hours=3),
        sent_at=now - datetime.timedelta(hours=1),
    )
    SignatureFactory(action=case, link_due_at=now - datetime.timedelta(seconds=5))
    EmailRequest.objects.create(kind="new_link", email="a@example.org")
    announcement = Announcement.objects.create(action=case, kind="closed", reference="x")
    for status in ("pending", "pending", "sent"):
        AnnouncementDelivery.objects.create(
            announcement=announcement, supporter=SupporterFactory(), status=status
        )

    samples = scrape(client)

    assert samples["pluma_signatures_confirmed"] == {(): 42}
    assert samples["pluma_letter_deliveries"] == {
        (("status", "queued"),): 3,
        (("status", "sending"),): 1,
        (("status", "bounced"),): 1,
        (("status", "failed"),): 2,
    }
    depth = {labels[0][1]: value for labels, value in samples["pluma_outbox_depth"].items()}
    assert depth == {
        "letters": 2,
        "confirmations": 1,
        "already_signed_notices": 0,
        "announcements": 2,
        "email_requests": 1,
    }
    oldest = {labels[0][1]: v for labels, v in samples["pluma_outbox_oldest_seconds"].items()}
    assert 90 <= oldest["letters"] < 100
    assert 5 <= oldest["confirmations"] < 15
    assert oldest["already_signed_notices"] == 0
    buckets = {
        dict(labels)["le"]: value
        for labels, value in samples["pluma_letter_latency_seconds_bucket"].items()
    }
    assert buckets["15.0"] == 0
    assert buckets["60.0"] == 1  # the letter sent 20 s after its confirmation
    assert buckets["3600.0"] == 1
    assert buckets["14400.0"] == 2  # and the one that waited two hours
    assert buckets["+Inf"] == 2
    assert samples["pluma_letter_latency_seconds_gcount"] == {(): 2}
    assert samples["pluma_letter_latency_seconds_gsum"] == {(): pytest.approx(20 + 7140, abs=1)}
    assert samples["pluma_metrics_collect_seconds"][()] > 0
    if connection.vendor == "postgresql":
        assert {dict(labels)["table"] for labels in samples["pluma_table_rows_estimate"]} == {
            "signatures",
            "letters",
            "deliveries",
            "supporters",
        }


@pytest.mark.django_db
def test_the_latency_is_that_of_the_last_letters_sent(client, token, monkeypatch):
    monkeypatch.setattr(metrics, "LATENCY_SAMPLE", 2)
    now = timezone.now()
    for waited, ago in ((3, 30), (3, 20), (7200, 40)):  # the slow one was sent first
        DeliveryFactory(
            status="sent",
            queued_at=now - datetime.timedelta(seconds=ago + waited),
            sent_at=now - datetime.timedelta(seconds=ago),
        )
    samples = scrape(client)
    assert samples["pluma_letter_latency_seconds_gcount"] == {(): 2}
    assert samples["pluma_letter_latency_seconds_gsum"] == {(): pytest.approx(6, abs=0.1)}


@pytest.mark.django_db
def test_a_scrape_costs_a_fixed_number_of_queries(client, token, django_assert_max_num_queries):
    for _ in range(3):
        UrgentActionFactory()
        DeliveryFactory(status="queued")
    with django_assert_max_num_queries(10):
        scrape(client)


def _tables_as_in_production(rows: int = 6000) -> None:
    """Big tables mostly of rows done with (signatures confirmed, letters delivered,
    announcements sent) and a few waiting, so that the planner chooses as it would on a
    real database, where reading a whole table or index costs what it does."""
    now = timezone.now()
    case = UrgentActionFactory()
    supporters = Supporter.objects.bulk_create(
        Supporter(email=f"s{n}@example.net", email_canonical=f"s{n}@example.net", name="A")
        for n in range(rows)
    )
    Signature.objects.bulk_create(
        Signature(
            action=case,
            supporter=supporter,
            name="A",
            country="CA",
            status="confirmed",
            confirmed_at=now,
        )
        for supporter in supporters
    )
    targets = TargetFactory.create_batch(20)
    letters = Letter.objects.bulk_create(
        Letter(case=case, supporter=supporter, subject="s", body="b", status="confirmed")
        for supporter in supporters[: rows // len(targets)]
    )
    old = now - datetime.timedelta(days=3)
    Delivery.objects.bulk_create(
        Delivery(
            letter=letter,
            target=target,
            status="delivered",
            queued_at=old,
            next_attempt_at=old,
            sent_at=old,
            delivered_at=old,
        )
        for letter in letters
        for target in targets
    )
    announcement = Announcement.objects.create(action=case, kind="closed", reference="x")
    AnnouncementDelivery.objects.bulk_create(
        AnnouncementDelivery(announcement=announcement, supporter=supporter, status="sent")
        for supporter in supporters
    )
    for target in targets:
        ensure_policy(target=target)
    DeliveryFactory(status="queued", target=targets[0])
    SignatureFactory(action=case, link_due_at=now)


def _scans(plan: dict) -> list[dict]:
    """Every node of a JSON plan that reads a table or an index, but for sub-plans: those
    are the outboxes' hold conditions (campaigns.holds), a few small tables and the
    letters of held cases, which sequential scans priced out make PostgreSQL plan as it
    never would."""
    nodes = [plan] + [
        node
        for child in plan.get("Plans", [])
        if child.get("Parent Relationship") != "SubPlan"
        for node in _scans(child)
    ]
    return [node for node in nodes if "Scan" in node["Node Type"]]


@pytest.mark.django_db
def test_every_query_of_a_scrape_reads_an_index_range_of_the_big_tables():
    """With sequential scans priced out, PostgreSQL still reads a big table, or a whole
    index of it, only when no index range can serve the query: no scrape may do that. An
    index range has a condition on the index's first column; a partial index holds only
    the rows it is about (the due ones), so reading it whole is fine."""
    if connection.vendor != "postgresql":
        pytest.skip("reads PostgreSQL's plans")
    _tables_as_in_production()
    with CaptureQueriesContext(connection) as captured:
        list(metrics.DatabaseCollector().collect())
    big = {
        "petitions_signature",
        "letters_delivery",
        "letters_letter",
        "campaigns_announcementdelivery",
        "letters_deliveryevent",
    }
    with connection.cursor() as cursor:
        # Each index: its table, its first column, and whether it is partial.
        cursor.execute(
            "SELECT c.relname, t.relname, a.attname, i.indpred IS NOT NULL FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid"
            " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
        )
        indexes = {name: (table, first, is_partial) for name, table, first, is_partial in cursor}
        # Statistics as production has them, not the guesses of never-analysed tables.
        for table in big:
            cursor.execute(f"ANALYZE {table}")
        cursor.execute("SET enable_seqscan = off")
        # As with millions of rows: no hash of a whole table fits in memory.
        cursor.execute("SET work_mem = '64kB'")
        try:
            for query in captured.captured_queries:
                cursor.execute(f"EXPLAIN (FORMAT JSON) {query['sql']}")  # noqa: S608 -- ours
                plan = cursor.fetchone()[0][0]["Plan"]
                for node in _scans(plan):
                    if node.get("Relation Name") in big:
                        assert node["Node Type"] != "Seq Scan", query["sql"]
                    if "Index Name" not in node:
                        continue
                    table, first, is_partial = indexes[node["Index Name"]]
                    if table not in big or is_partial:
                        continue
                    # A condition on a later column of the index reads all of it.
                    condition = node.get("Index Cond", "")
                    assert re.search(rf"\b{first}\b", condition), (query["sql"], node)
        finally:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET work_mem")
