"""Prometheus metrics at /metrics, read from the database when scraped.

Off unless PLUMA_METRICS_TOKEN is set (404); then Prometheus must send it as a bearer
token (``authorization: {credentials: …}`` in its scrape config), or gets a 401.

Every figure is computed from PostgreSQL at scrape time, in a registry made for that one
scrape: nothing is counted in the processes themselves. So there is no multiprocess mode
to set up, the answer is the same whichever web node (or process) Prometheus reaches
through the load balancer, and work done by workers on other hosts is in it; a restart
loses nothing. Rows are the source of truth: a "counter" is a count of rows.

What it costs is bounded, whatever the number of signatures and letters: each query
reads an index range over rows that are waiting (the outboxes), rare (failed letters),
recent (the last thousand letters sent, on the partial index delivery_sent) or few
(the count shards, 16 per case). Totals that would read every letter or signature
ever written (pending signatures, letters delivered) are deliberately absent: the
confirmed count comes from the shards, and PostgreSQL's own row estimates stand in for
the sizes of the big tables. bench figures: README, "Running on several machines".
"""

from __future__ import annotations

import datetime
import hmac
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Min,
    Model,
    Q,
    QuerySet,
    Sum,
)
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client.core import (
    GaugeHistogramMetricFamily,
    GaugeMetricFamily,
    Metric,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import Collector, CollectorRegistry

from campaigns import email_requests
from campaigns.announcements import ANNOUNCEMENT_OUTBOX
from campaigns.models import Announcement
from campaigns.outbox import Outbox
from letters.models import Delivery
from letters.services.queueing import DELIVERY_OUTBOX
from petitions.models import SignatureCountShard
from petitions.services.signing import CONFIRMATION_OUTBOX, NOTICE_OUTBOX

# Deliveries counted by status: the ones waiting or failed. Sent and delivered letters are
# most of the table and grow for ever: they are measured by LATENCY_WINDOW instead.
DELIVERY_STATUSES = (
    Delivery.Status.QUEUED,
    Delivery.Status.SENDING,
    Delivery.Status.BOUNCED,
    Delivery.Status.FAILED,
)
# The latency histogram covers the last LATENCY_SAMPLE letters sent, this long ago at most.
LATENCY_WINDOW = datetime.timedelta(minutes=10)
LATENCY_SAMPLE = 1000
# Seconds from confirmation to sending: a letter paced, digested or printed waits hours.
LATENCY_BUCKETS = (1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600)
ESTIMATED_TABLES = {
    "signatures": "petitions_signature",
    "letters": "letters_letter",
    "deliveries": "letters_delivery",
    "supporters": "campaigns_supporter",
}


@dataclass(frozen=True)
class WatchedOutbox:
    """An outbox to report: its rows due now, and the field that says since when."""

    name: str
    outbox: Outbox[Any]
    since: str
    # Narrows the due rows to an index range where `due` alone would not.
    narrow: Callable[[QuerySet[Any]], QuerySet[Any]] = lambda rows: rows


def _announcements_by_index(rows: QuerySet[Any]) -> QuerySet[Any]:
    # The index starts with the announcement: name every announcement (a few hundred
    # rows) so that PostgreSQL reads only the pending entries of each.
    return rows.filter(announcement_id__in=list(Announcement.objects.values_list("pk", flat=True)))


OUTBOXES = (
    WatchedOutbox("letters", DELIVERY_OUTBOX, since="next_attempt_at"),
    WatchedOutbox("confirmations", CONFIRMATION_OUTBOX, since="link_due_at"),
    WatchedOutbox("already_signed_notices", NOTICE_OUTBOX, since="notice_due_at"),
    WatchedOutbox(
        "announcements",
        ANNOUNCEMENT_OUTBOX,
        since="announcement__created_at",
        narrow=_announcements_by_index,
    ),
    WatchedOutbox("email_requests", email_requests.OUTBOX, since="created_at"),
)


def _rows(model: type[Model]) -> QuerySet[Any]:
    return model._default_manager.all()


def signatures() -> Iterator[Metric]:
    confirmed = _rows(SignatureCountShard).aggregate(n=Sum("confirmed"))["n"] or 0
    yield GaugeMetricFamily(
        "pluma_signatures_confirmed",
        "Confirmed, unflagged signatures on every case (the count shards).",
        value=confirmed,
    )


def deliveries() -> Iterator[Metric]:
    by_status = dict(
        _rows(Delivery)
        .filter(status__in=DELIVERY_STATUSES)
        .values_list("status")
        .annotate(n=Count("*"))
        .values_list("status", "n")
    )
    family = GaugeMetricFamily(
        "pluma_letter_deliveries",
        "Letters to officials (one per official) waiting, being sent, bounced or failed "
        "(bounces and failures as the ESP's tracking webhooks reported them).",
        labels=["status"],
    )
    for status in DELIVERY_STATUSES:
        family.add_metric([status.value], by_status.get(status, 0))
    yield family


def outboxes(now: datetime.datetime) -> Iterator[Metric]:
    depth = GaugeMetricFamily(
        "pluma_outbox_depth",
        "Rows due to be sent now (held cases and officials excluded), per outbox.",
        labels=["outbox"],
    )
    age = GaugeMetricFamily(
        "pluma_outbox_oldest_seconds",
        "Seconds the oldest row due has waited, per outbox (0 when empty).",
        labels=["outbox"],
    )
    for watched in OUTBOXES:
        outbox = watched.outbox
        rows = watched.narrow(_rows(outbox.model).filter(outbox.due(now)))
        found = rows.aggregate(n=Count("pk"), oldest=Min(watched.since))
        oldest = found["oldest"]
        depth.add_metric([watched.name], found["n"])
        age.add_metric([watched.name], max(0.0, (now - oldest).total_seconds()) if oldest else 0)
    yield depth
    yield age


def latency(now: datetime.datetime) -> Iterator[Metric]:
    """A gauge histogram of the last LATENCY_SAMPLE letters sent within LATENCY_WINDOW, by
    how long each waited from its confirmation (when its delivery row was written) to
    its sending. A sample, so that a scrape reads as many rows at 600 letters a second as
    at one a minute."""
    # Counted by the database, over the sample: timestamps cost more to bring into Python.
    sample = (
        _rows(Delivery)
        .filter(sent_at__gte=now - LATENCY_WINDOW)
        .annotate(wait=ExpressionWrapper(F("sent_at") - F("queued_at"), DurationField()))
        .order_by("-sent_at")[:LATENCY_SAMPLE]
    )
    found = sample.aggregate(
        total=Count("pk"),
        waited=Sum("wait"),
        **{
            f"le_{bucket}": Count("pk", filter=Q(wait__lte=datetime.timedelta(seconds=bucket)))
            for bucket in LATENCY_BUCKETS
        },
    )
    waited = found["waited"] or datetime.timedelta(0)
    buckets = [(str(float(bucket)), found[f"le_{bucket}"]) for bucket in LATENCY_BUCKETS]
    yield GaugeHistogramMetricFamily(
        "pluma_letter_latency_seconds",
        f"The last {LATENCY_SAMPLE} letters sent in the last {LATENCY_WINDOW.seconds // 60} "
        "minutes at most, by seconds from confirmation to sending.",
        buckets=[*buckets, ("+Inf", found["total"])],
        gsum_value=max(0.0, waited.total_seconds()),
    )


def table_sizes() -> Iterator[Metric]:
    """PostgreSQL's estimates of the big tables' rows (kept by ANALYZE; no table read)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' AND relname = ANY(%s)",
            [list(ESTIMATED_TABLES.values())],
        )
        estimates = dict(cursor.fetchall())
    family = GaugeMetricFamily(
        "pluma_table_rows_estimate",
        "PostgreSQL's estimate of a table's rows (-1 before it was first analysed).",
        labels=["table"],
    )
    for name, table in ESTIMATED_TABLES.items():
        family.add_metric([name], estimates.get(table, -1))
    yield family


class DatabaseCollector(Collector):
    """Every family above, read at once; and how long reading them took."""

    def collect(self) -> Iterator[Metric]:
        started = time.perf_counter()
        now = timezone.now()
        families = [
            *signatures(),
            *deliveries(),
            *outboxes(now),
            *latency(now),
            *table_sizes(),
        ]
        yield from families
        yield GaugeMetricFamily(
            "pluma_metrics_collect_seconds",
            "Seconds this scrape's queries took.",
            value=time.perf_counter() - started,
        )


def _authorised(request: HttpRequest, token: str) -> bool:
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def metrics(request: HttpRequest) -> HttpResponse:
    token = settings.PLUMA_METRICS_TOKEN
    if not token:
        response = HttpResponse("Not found\n", status=404, content_type="text/plain")
    elif not _authorised(request, token):
        response = HttpResponse("Bearer token required\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
    else:
        registry = CollectorRegistry(auto_describe=False)
        registry.register(DatabaseCollector())
        response = HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # type: ignore[attr-defined]  # no log line per scrape
    return response
