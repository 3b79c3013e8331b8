"""Build a delivery pack for 100,000 confirmed signatures on PostgreSQL; print time and memory.

Run with `make bench-handover` (or `.venv/bin/python bench/handover.py --rows 100000
--named 0.2`). Uses a database of its own, `pluma_bench_handover`, dropped and recreated.
The pack is built twice in this process: once plain, for the time and the growth of the
resident set, and once under tracemalloc, for the peak of Python allocations (slower).
Also times the per-case dashboard on the same data. Both times are also given in minimal
requests (_minimal.py): the minimal view served in-process by Django's WSGI handler, in a
process of its own (so this one's memory and imports stay the build's), half of
--minimal-seconds just before the plain build and half just after it. Exits 1 only if
the pack is wrong or the minimal view is not a 200.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

DB_NAME = "pluma_bench_handover"
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
TARGET_SECONDS = 30


def say(message: str) -> None:
    print(message, flush=True)


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def setup_django(var_dir: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        PLUMA_VAR_DIR=var_dir,
        MEDIA_ROOT=os.path.join(var_dir, "media"),
        DEBUG="false",
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("DJANGO_ENV", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


COUNTRIES = (
    "CA MX ES AR FR DE GB US BR CL CO PE IT NL BE CH AT SE NO DK FI IE PT PL CZ JP KR AU NZ ZA"
)


def preload(*, action_id: int, rows: int, named: float) -> None:
    """Confirmed signatures in 30 countries over 30 days, a share consenting to pass names.

    Through the ORM in batches rather than raw SQL, so new columns with defaults (added
    by later work) never break the bench; it takes a few seconds more.
    """
    import datetime
    import random

    from django.db import connection
    from django.utils import timezone

    from campaigns.models import Consent, Supporter
    from petitions import counts
    from petitions.models import Signature

    countries = COUNTRIES.split()
    sources = ["newsletter", "facebook", ""]
    now = timezone.now()
    rng = random.Random(58)  # noqa: S311 - which signers consent, not a secret
    batch = 5000
    for start in range(0, rows, batch):
        supporters = Supporter.objects.bulk_create(
            [
                Supporter(
                    email=f"b{i}@bench.example.org",
                    email_canonical=f"b{i}@bench.example.org",
                    name=f"Signer Ñúñez {i}",
                    country="CA",
                )
                for i in range(start, min(rows, start + batch))
            ]
        )
        Signature.objects.bulk_create(
            [
                Signature(
                    action_id=action_id,
                    supporter=supporter,
                    status=Signature.Status.CONFIRMED,
                    name=supporter.name,
                    country=countries[supporter.pk % 30],
                    source=sources[supporter.pk % 3],
                    confirmed_at=now - datetime.timedelta(days=supporter.pk % 30),
                )
                for supporter in supporters
            ]
        )
        Consent.objects.bulk_create(
            [
                Consent(
                    supporter=supporter,
                    action_id=action_id,
                    kind=Consent.Kind.SHARE_NAME,
                    text="Yes, pass my name on.",
                )
                for supporter in supporters
                if rng.random() < named
            ]
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    counts.reconcile(action_id=action_id)


def build(action, recipient, *, trace: bool) -> tuple[float, object, int]:
    from handovers import services
    from handovers.models import HandoverPack

    pack = HandoverPack.objects.create(action=action, recipient=recipient, language="es")
    if trace:
        tracemalloc.start()
    started = time.monotonic()
    assert services.build_pack(pack_id=pack.pk)
    seconds = time.monotonic() - started
    peak = 0
    if trace:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    pack.refresh_from_db()
    return seconds, pack, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--named", type=float, default=0.2, help="share consenting to names")
    parser.add_argument(
        "--minimal-seconds", type=float, default=2, help="minimal view, before and after (s)"
    )
    args = parser.parse_args()

    var_dir = tempfile.mkdtemp(prefix="pluma-bench-handover-")
    say(f"Recreating database {DB_NAME} …")
    recreate_database()
    setup_django(var_dir)

    from django.utils import timezone

    from actions import dashboard
    from campaigns.models import Target, UrgentAction
    from petitions.models import Signature

    action = UrgentAction.objects.create(
        number="58/20",
        title="Protect Ana, a defender in Yucatán",
        summary="Ana López defends migrants' rights in Yucatán and has been threatened.",
        category="defenders",
        country="MX",
        status="open",
        deadline=timezone.localdate() + timezone.timedelta(days=30),
        opened_at=timezone.now(),
    )
    recipient = Target.objects.create(
        kind="embassy",
        name="Juan Pérez",
        title="Embajador",
        organisation="Embajada de México en Canadá",
        country="CA",
        language="es",
        salutation="Excelentísimo Señor Embajador",
        postal_address="45 O'Connor Street, Ottawa",
        represents_country="MX",
        accredited_to_country="CA",
    )
    say(f"Pre-loading {args.rows:,} confirmed signatures ({args.named:.0%} share their name) …")
    started = time.monotonic()
    preload(action_id=action.pk, rows=args.rows, named=args.named)
    say(f"  done in {time.monotonic() - started:.0f} s")

    import _minimal

    before = _minimal.seconds_in_subprocess(args.minimal_seconds / 2)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    seconds, pack, _ = build(action, recipient, trace=False)
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    minimal = (before + _minimal.seconds_in_subprocess(args.minimal_seconds / 2)) / 2
    traced_seconds, traced_pack, peak = build(action, recipient, trace=True)

    started = time.monotonic()
    dashboard.case_dashboard(action)
    dashboard_ms = (time.monotonic() - started) * 1000

    expected = Signature.objects.filter(action=action, status="confirmed").count()
    ok = pack.online_count == expected and traced_pack.fingerprint == pack.fingerprint
    # Packs live in the private storage (campaigns/private_files.py), not under MEDIA_ROOT.
    pdf_size, csv_size = pack.pdf.size, pack.csv.size
    say("")
    say(f"Delivery pack for {pack.online_count:,} signatures, {pack.named_count:,} names listed")
    say(f"  build time          {seconds:6.1f} s   (target < {TARGET_SECONDS} s)")
    say(f"  peak RSS growth     {rss_growth / 1024:6.1f} MB  (ru_maxrss, whole process)")
    say(
        f"  tracemalloc peak    {peak / 1024 / 1024:6.1f} MB  (Python heap; that run took {traced_seconds:.1f} s)"
    )
    say(f"  PDF {pdf_size / 1024 / 1024:.1f} MB, CSV {csv_size / 1024 / 1024:.1f} MB")
    say(f"  fingerprint         {pack.fingerprint}")
    say(f"Dashboard of the case: {dashboard_ms:.0f} ms")
    say(
        f"Minimal view: {minimal * 1000:.3f} ms a request (in-process through Django's WSGI"
        " handler and the whole middleware stack, one thread, as the build)"
    )
    say(f"  → the build takes as long as {seconds / minimal:,.0f} minimal requests")
    say(f"  → the dashboard as long as {dashboard_ms / 1000 / minimal:,.0f}")
    say(f"Files in {os.path.dirname(pack.pdf.path)}")
    if not ok:
        say("MISMATCH: the pack does not count what the table holds")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
