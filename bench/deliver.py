"""10,000 letters through two Celery worker processes to the Postmark stub.

Run with `make bench-deliver` (or `.venv/bin/python bench/deliver.py --letters 2000`).
The stack is real: PostgreSQL (a fresh `pluma_bench_deliver` database, migrated), Redis
DB 12 as the broker (flushed), two `celery worker` processes, and the real anymail
Postmark backend talking to the ESP stub of the tests, which runs in a process of its own
(in this one, it would wait for the GIL behind the producer and slow every send).

The letters are confirmed through letters.services.queue_letter, a chunk of them per
transaction, from two threads at once (--producers), as a burst (the dispatch it requests
hands the rows to the workers in batches): the lag is then the wait of the last letters behind the first. Prints
letters/s, the CPU each part of the stack spent per letter, the lag from confirmation to
send (p50, p99), and lost and duplicated letters; and beside them the minimal view
(_minimal.py) served by granian as in production on the same machine, half of
--minimal-seconds just before the letters are confirmed and half just after the last is
sent: one letter costs as much time, and as much CPU, as how many minimal requests.
Exits 0 whatever the timing; 1 only when letters are lost or the minimal view is not a
200.
"""

import argparse
import collections
import datetime
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import _minimal  # noqa: E402
from _deliver_stack import (  # noqa: E402
    DB_NAME,
    cpu_of,
    cpu_used,
    free_port,
    recreate_database,
    stack_cpu,
    stack_env,
    start_workers,
    stop,
    wait_until_ready,
)

from tests.letters.esp_stub import StubProcess  # noqa: E402

RATE_TARGET = 300
TARGETS = 100
CHUNK = 500


def say(message: str) -> None:
    print(message, flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2, help="celery worker processes")
    parser.add_argument(
        "--pool", default="threads", choices=["threads", "prefork", "solo"], help="worker pool"
    )
    # Threads overlap the waits on PostgreSQL and the ESP; a few per core is enough.
    parser.add_argument("--concurrency", type=int, default=4, help="per worker process")
    parser.add_argument(
        "--producers", type=int, default=2, help="threads confirming letters at once"
    )
    parser.add_argument("--timeout", type=float, default=1200, help="give up after (s)")
    parser.add_argument(
        "--minimal-seconds", type=float, default=10, help="minimal view, before and after (s)"
    )
    parser.add_argument("--connections", type=int, default=16, help="for the minimal view")
    return parser.parse_args()


def create_letters(count: int) -> list[tuple[int, int]]:
    """Targets with a pace that never binds, and `count` letters waiting for confirmation."""
    from campaigns.models import Supporter, Target, UrgentAction
    from letters.models import DeliveryPolicy, Letter

    today = datetime.date.today()
    case = UrgentAction.objects.create(
        number="58/20",
        title="Bench case",
        country="MX",
        status="open",
        deadline=today + datetime.timedelta(days=30),
    )
    targets = Target.objects.bulk_create(
        Target(
            name=f"Official {n}",
            title="Gobernador",
            country="MX",
            salutation="Señor Gobernador",
            email=f"official{n}@gob.example",
        )
        for n in range(TARGETS)
    )
    DeliveryPolicy.objects.bulk_create(
        DeliveryPolicy(target=target, max_per_hour=100_000_000) for target in targets
    )
    supporters = Supporter.objects.bulk_create(
        (
            Supporter(
                email=f"bench{n}@example.net",
                email_canonical=f"bench{n}@example.net",
                name=f"Ana López {n}",
                country="CA",
                city="Ottawa",
            )
            for n in range(count)
        ),
        batch_size=2000,
    )
    letters = Letter.objects.bulk_create(
        (
            Letter(
                case=case,
                supporter=supporter,
                subject="UA {ua_number}: proteja al defensor",
                body="{salutation}:\n\nProteja al defensor, por favor.\n\n{supporter_name}",
                personal_share=40,
            )
            for supporter in supporters
        ),
        batch_size=2000,
    )
    pairs = [(letter.pk, targets[n % TARGETS].pk) for n, letter in enumerate(letters)]
    Letter.targets.through.objects.bulk_create(
        (Letter.targets.through(letter_id=lid, target_id=tid) for lid, tid in pairs),
        batch_size=2000,
    )
    return pairs


def confirm_letters(pairs: list[tuple[int, int]], producers: int) -> float:
    """Confirm every letter through the real service (queue_letter: outbox rows written and
    a dispatch requested on commit), a chunk of letters per transaction, from `producers`
    threads at once, as confirmations reach several web workers: a burst.

    Returns the CPU seconds the threads' database backends used (they end with the threads).
    """
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection, transaction

    from letters.models import Letter
    from letters.services import queue_letter

    chunks = [[lid for lid, _ in pairs[n : n + CHUNK]] for n in range(0, len(pairs), CHUNK)]

    def produce(number: int) -> float:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend = cursor.fetchone()[0]
            for ids in chunks[number::producers]:
                with transaction.atomic():
                    for letter in Letter.objects.filter(pk__in=ids).order_by("pk"):
                        queue_letter(letter=letter)
            return cpu_of(backend)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=producers) as pool:
        return sum(pool.map(produce, range(producers)))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] if ordered else 0.0


def deliver(args: argparse.Namespace, pairs, workers, stub: StubProcess):
    """Confirm every letter and wait until the workers have sent them all (or stall):
    (seconds to confirm, CPU seconds by part of the stack, stalled)."""
    from letters.models import Delivery

    say(
        f"{args.workers} workers ({args.pool} pool, concurrency {args.concurrency}) ready; "
        f"{args.producers} producers confirming {args.letters:,} letters …"
    )
    started, cpu_before = time.monotonic(), stack_cpu(workers, stub)
    producers_pg = confirm_letters(pairs, args.producers)
    confirmed_in = time.monotonic() - started
    sent = Delivery.objects.filter(status=Delivery.Status.SENT)
    last, last_change, stalled = 0, time.monotonic(), False
    while time.monotonic() - started < args.timeout:
        done = sent.count()
        if done >= args.letters:
            break
        if done != last:
            last, last_change = done, time.monotonic()
        elif time.monotonic() - last_change > 30:
            say("  no progress for 30 s: the rest is lost")
            stalled = True
            break
        time.sleep(0.5)
    cpu = cpu_used(cpu_before, stack_cpu(workers, stub))
    cpu["PostgreSQL (producer)"] += producers_pg
    return confirmed_in, cpu, stalled


def main() -> int:
    args = parse_args()
    var_dir = tempfile.mkdtemp(prefix="pluma-bench-deliver-")
    stub = StubProcess(port=free_port(), log_path=Path(var_dir) / "stub.log")
    try:
        return run(args, var_dir, stub)
    finally:
        stub.stop()
        shutil.rmtree(var_dir, ignore_errors=True)


def run(args: argparse.Namespace, var_dir: str, stub: StubProcess) -> int:
    env = stack_env(stub.url, var_dir)
    say(f"Recreating database {DB_NAME}, flushing Redis DB 12 …")
    recreate_database(env)
    os.environ.update(env)

    import django

    django.setup()
    from django.db.models import Max, Min

    from config.celery import app
    from letters.models import Delivery

    started = time.monotonic()
    pairs = create_letters(args.letters)
    say(
        f"  {args.letters:,} letters to {TARGETS} officials written in {time.monotonic() - started:.0f} s"
    )
    workers = start_workers(args, env, var_dir)
    Path(var_dir, "static").mkdir(exist_ok=True)
    try:
        wait_until_ready(app, args.workers)
        say("The minimal view's server, beside the workers:")
        with _minimal.Server(env) as server:
            (confirmed_in, cpu, stalled), minimal = _minimal.around(
                lambda: deliver(args, pairs, workers, stub),
                port=server.port,
                connections=args.connections,
                seconds=args.minimal_seconds,
                stack=server,
            )
    finally:
        stop(workers)
        time.sleep(0.5)
    counts = stub.metadata_counts()

    sent = Delivery.objects.filter(status=Delivery.Status.SENT)
    span = Delivery.objects.aggregate(first=Min("queued_at"), last=Max("sent_at"))
    rows = list(sent.values_list("queued_at", "sent_at"))
    lags = [(sent_at - queued_at).total_seconds() for queued_at, sent_at in rows]
    seconds = (span["last"] - span["first"]).total_seconds() if rows else float("nan")
    ids = {str(pk) for pk in Delivery.objects.values_list("pk", flat=True)}
    # Letters still on their way when --timeout ran out are slow, not lost.
    unsent = len(ids - set(counts))
    lost = unsent if stalled or len(rows) == args.letters else 0
    duplicated = sum(1 for n in counts.values() if n > 1)
    statuses = collections.Counter(Delivery.objects.values_list("status", flat=True))
    say("")
    say(
        f"Delivery of {args.letters:,} letters ({args.workers} workers, {args.pool} × "
        f"{args.concurrency}) to the Postmark stub"
    )
    rate = len(rows) / seconds
    say(f"  letters/s            {rate:>10,.0f}   target ≥ {RATE_TARGET}")
    say(f"  sent                 {len(rows):>10,}   in {seconds:.1f} s")
    say(f"  confirmed in         {confirmed_in:>10.1f} s (a burst)")
    per_letter = sum(cpu.values()) / len(rows) if rows else float("nan")
    say(f"  CPU per letter (ms)  {per_letter * 1000:>10.1f}   the whole stack, of which:")
    for part, used in cpu.items():
        say(f"    {part:<22} {used / max(len(rows), 1) * 1000:>6.2f}")
    say(f"  on 2 idle cores      {2 / per_letter:>10,.0f}   letters/s at that CPU cost")
    # What sending costs once letters are confirmed (on web nodes, in production).
    delivery = sum(used for part, used in cpu.items() if "producer" not in part)
    delivery /= len(rows) if rows else float("nan")
    say(
        f"  without confirming   {2 / delivery:>10,.0f}   letters/s ({delivery * 1000:.1f} ms each)"
    )
    say(
        f"  minimal view         {minimal.rate:>10,.0f}   requests/s (granian 2 × 4, "
        f"{args.connections} connections, {args.minimal_seconds / 2:.0f} s before and after)"
    )
    say(f"    its server CPU     {minimal.server_cpu * 1000:>10.3f}   ms a request")
    say(
        f"  → one letter costs as much as {minimal.rate / rate:.1f} minimal requests: in the"
        f" time the stack sends one, the server answers that many"
        f" (letters/s ÷ minimal requests/s = {rate / minimal.rate:.4f})"
    )
    say(
        f"  → and as much CPU as {per_letter / minimal.server_cpu:.0f} minimal requests"
        f" ({delivery / minimal.server_cpu:.0f} without confirming): the stack's CPU a letter"
        " ÷ the server's CPU a minimal request"
    )
    say(f"  lag p50 (s)          {percentile(lags, 50):>10.2f}")
    say(f"  lag p99 (s)          {percentile(lags, 99):>10.2f}")
    say(f"  lost                 {lost:>10}   target 0")
    if unsent and not lost:
        say(f"  still on their way   {unsent:>10}   when --timeout ran out")
    say(f"  duplicated           {duplicated:>10}   target 0")
    say(f"  statuses             {dict(statuses)}")
    if minimal.first_error:
        say(f"  first error of the minimal view: {minimal.first_error}")
    return 1 if lost or _minimal.is_broken(minimal) else 0


if __name__ == "__main__":
    sys.exit(main())
