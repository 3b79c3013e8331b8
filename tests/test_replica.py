"""With a read replica, exports, dashboards, open data and packs read it; everything else,
and every write, goes to the primary; migrations run only on the primary.

tests/settings.py gives the test database a second alias, `replica`, a mirror of the
default one (read-only on PostgreSQL, as a hot standby is). These tests commit their rows
(transaction=True) so that the mirror's own connection sees them.
"""

import json
import os
import subprocess
import sys

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, router
from django.test.utils import CaptureQueriesContext

from actions import dashboard, impact
from campaigns import replica
from config.routers import PrimaryReplicaRouter
from handovers import services as handovers
from handovers.models import HandoverPack
from petitions.admin_views import breakdown
from petitions.models import Signature
from petitions.services.exports import export_signatures
from tests.factories import (
    ConfirmedSignatureFactory,
    ConsentFactory,
    DeliveryFactory,
    EmbassyFactory,
    PaperSignatureFactory,
    UrgentActionFactory,
    UserFactory,
)
from tests.test_settings import PRODUCTION, ROOT, load_settings

both = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def with_replica(settings):
    settings.DATABASE_REPLICA = "replica"
    yield
    # Tests close the primary's connection when they drop the test database, not the
    # mirror's: left open, it would keep PostgreSQL from dropping it.
    connections["replica"].close()


class Queries:
    """The SQL each alias ran inside the block."""

    def __enter__(self):
        self.primary = CaptureQueriesContext(connections[DEFAULT_DB_ALIAS])
        self.replica = CaptureQueriesContext(connections["replica"])
        self.primary.__enter__()
        self.replica.__enter__()
        return self

    def __exit__(self, *exc):
        self.replica.__exit__(*exc)
        self.primary.__exit__(*exc)

    @staticmethod
    def _reading(captured, table: str) -> list[str]:
        return [
            q["sql"]
            for q in captured.captured_queries
            if q["sql"].lstrip().upper().startswith(("SELECT", "DECLARE"))
            and f'"{table}"' in q["sql"]
        ]

    def on_replica(self, table: str) -> list[str]:
        return self._reading(self.replica, table)

    def on_primary(self, table: str) -> list[str]:
        return self._reading(self.primary, table)


def confirmed_case(n: int = 3):
    case = UrgentActionFactory()
    for index in range(n):
        signature = ConfirmedSignatureFactory(action=case, name=f"Signer {index}")
        ConsentFactory(supporter=signature.supporter, action=case, kind="share_name")
    return case


# --- the call sites ---------------------------------------------------------------------


@both
def test_an_export_reads_the_signatures_from_the_replica(with_replica):
    case = confirmed_case()
    with Queries() as queries:
        log, lines = export_signatures(action=case, user=UserFactory())
        text = "".join(lines)
    assert "Signer 0" in text and "Signer 2" in text
    assert queries.on_replica("petitions_signature")
    assert not queries.on_primary("petitions_signature")
    # The log of the export is written to the primary.
    log.refresh_from_db(using=DEFAULT_DB_ALIAS)
    assert log.rows == 3


@both
def test_the_dashboard_and_the_report_read_their_figures_from_the_replica(with_replica):
    case = confirmed_case()
    DeliveryFactory(letter__case=case, status="delivered")
    PaperSignatureFactory(action=case)
    with Queries() as queries:
        figures = dashboard.case_dashboard(case)
        numbers = breakdown(case)
    assert figures["countries"] == [("Canada", 3)]
    assert numbers["confirmed"] == 3
    assert queries.on_replica("petitions_signature")
    assert queries.on_replica("letters_delivery")
    assert not queries.on_primary("petitions_signature")
    # What an organizer may just have done reads the primary: held letters, packs,
    # paper signatures.
    assert queries.on_primary(HandoverPack._meta.db_table)
    assert queries.on_primary("petitions_papersignature")
    assert not queries.on_replica("petitions_papersignature")


@both
def test_the_impact_counts_letters_delivered_on_the_replica(with_replica):
    case = UrgentActionFactory()
    DeliveryFactory(letter__case=case, status="delivered")
    with Queries() as queries:
        assert impact.letters_delivered(case.pk) == 1
    assert queries.on_replica("letters_delivery")
    assert not queries.on_primary("letters_delivery")


@both
def test_the_open_data_list_reads_the_replica(with_replica, client):
    UrgentActionFactory(number="7/26")
    with Queries() as queries:
        response = client.get("/api/v1/actions/")
    assert response.status_code == 200
    assert [case["number"] for case in response.json()["actions"]] == ["7/26"]
    assert queries.on_replica("campaigns_urgentaction")


@both
def test_a_pack_counts_and_names_the_signatures_from_the_replica(with_replica):
    case = confirmed_case()
    pack = handovers.request_pack(action=case, recipient=EmbassyFactory(), include_names=True)
    with Queries() as queries:
        assert handovers.build_pack(pack_id=pack.pk)
    pack.refresh_from_db()
    assert (pack.status, pack.online_count, pack.named_count) == (HandoverPack.Status.READY, 3, 3)
    assert queries.on_replica("petitions_signature")
    assert not queries.on_primary("petitions_signature")
    # Recounted on the primary, the set is the same: so is the fingerprint.
    again, *_ = handovers.fingerprint_signatures(
        action_id=case.pk, until=pack.counted_until, paper=pack.paper_count
    )
    assert again == pack.fingerprint


@both
def test_without_a_replica_everything_reads_the_primary():
    case = confirmed_case()
    with Queries() as queries:
        "".join(export_signatures(action=case, user=UserFactory())[1])
        dashboard.case_dashboard(case)
    assert not queries.replica.captured_queries
    assert queries.on_primary("petitions_signature")


# --- writes, migrations and the router --------------------------------------------------


@both
def test_a_write_sent_to_the_replica_fails(with_replica):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no read-only sessions; the mirror is the same file")
    case = confirmed_case(1)
    with pytest.raises(Exception, match="read-only transaction"):
        Signature.objects.using(replica.replica_alias()).filter(action=case).update(name="X")


@both
def test_a_row_read_from_the_replica_is_saved_to_the_primary(with_replica):
    case = confirmed_case(1)
    signature = Signature.objects.using("replica").get(action=case)
    # Its relations are read where it was: one snapshot.
    assert router.db_for_read(Signature, instance=signature) == "replica"
    signature.comment = "Changed"
    signature.save(update_fields=["comment"])
    assert Signature.objects.using(DEFAULT_DB_ALIAS).get(pk=signature.pk).comment == "Changed"


def test_the_router_writes_and_migrates_only_the_primary():
    routes = PrimaryReplicaRouter()
    assert routes.db_for_write(Signature) == DEFAULT_DB_ALIAS
    assert routes.db_for_read(Signature) == DEFAULT_DB_ALIAS
    assert routes.allow_migrate(DEFAULT_DB_ALIAS, "petitions")
    assert not routes.allow_migrate("replica", "petitions")
    assert not router.allow_migrate("replica", "petitions", model_name="signature")


# --- catching up --------------------------------------------------------------------------


@pytest.mark.django_db(databases=["default", "replica"])
def test_a_replica_that_holds_every_write_is_read(with_replica):
    assert replica.replica_caught_up() == "replica"


@pytest.mark.django_db(databases=["default", "replica"])
def test_a_replica_too_far_behind_is_passed_over_for_the_primary(with_replica, monkeypatch, caplog):
    if connection.vendor != "postgresql":
        pytest.skip("reads PostgreSQL's WAL positions")
    monkeypatch.setattr(replica, "_replayed", lambda alias, position: False)
    assert replica.replica_caught_up(timeout=0.3) == DEFAULT_DB_ALIAS
    assert "behind the primary" in caplog.text


def test_without_a_replica_reads_that_may_lag_read_the_primary(settings):
    settings.DATABASE_REPLICA = ""
    assert replica.replica_alias() == DEFAULT_DB_ALIAS
    assert replica.replica_caught_up() == DEFAULT_DB_ALIAS


# --- settings -----------------------------------------------------------------------------


def test_a_replica_url_adds_a_read_only_replica():
    code = (
        "import json, django; django.setup(); from django.conf import settings;"
        " print(json.dumps([settings.DATABASE_REPLICA, settings.DATABASES['replica']]))"
    )
    url = "postgres://pluma@replica.invalid:5432/pluma"
    result = run_with_settings(code, **PRODUCTION, DATABASE_REPLICA_URL=url)
    assert result.returncode == 0, result.stderr[-2000:]
    alias, database = json.loads(result.stdout)
    assert alias == "replica"
    assert database["HOST"] == "replica.invalid"
    assert database["OPTIONS"]["options"] == "-c default_transaction_read_only=on"


def test_a_replica_that_is_not_postgresql_is_refused():
    refused = load_settings(**PRODUCTION, DATABASE_REPLICA_URL="sqlite:////tmp/replica.db")
    assert refused.returncode != 0
    assert "DATABASE_REPLICA_URL must name a PostgreSQL replica." in refused.stderr


def run_with_settings(code: str, **environment: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO", "DATABASE", "REDIS", "ANYMAIL", "PLUMA", "DEBUG"))
    }
    env.update(environment, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(  # noqa: S603 -- our own interpreter and code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
