"""The crash test: 500 letters through a real Celery worker that is SIGKILLed mid-run,
and a Redis broker that is restarted empty; every letter must reach the ESP stub once.

Real PostgreSQL (the pytest test database), a real Redis (a redis-server of the test's
own, so restarting it disturbs no one), real Celery workers as subprocesses, and the
real anymail Postmark backend talking to the stub. The one allowed exception is a
duplicate from the window between the ESP accepting a letter and the worker recording
it (a SIGKILL there): such duplicates are counted, printed and must stay rare.
"""

import collections
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.db import connection

from campaigns.models import ActionTarget
from letters.models import Delivery, DeliveryPolicy
from tests.factories import (
    ActionTargetFactory,
    LetterFactory,
    SupporterFactory,
    TargetFactory,
    UrgentActionFactory,
)

from .esp_stub import PostmarkStub

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server"),
]

ROOT = Path(__file__).resolve().parents[2]
LETTERS = 500
TARGETS = 10
CONCURRENCY = 4
LEASE_SECONDS = 10
DEADLINE_SECONDS = 180
KILL_WORKER_AT = 150
RESTART_REDIS_AT = 300

QUEUE_LETTERS = """
import django
django.setup()
from letters.models import Letter
from letters.services import queue_letter
for letter in Letter.objects.filter(status="pending_confirmation").order_by("pk"):
    queue_letter(letter=letter)
"""

# What celery beat would do every minute, every two seconds; it outlives a broker outage.
SWEEP = """
import logging, time, django
django.setup()
from letters.services import sweep_deliveries
while True:
    try:
        sweep_deliveries()
    except Exception as exc:
        logging.getLogger("sweeper").warning("sweep failed: %r", exc)
    time.sleep(2)
"""


class SlowStub(PostmarkStub):
    """An ESP that takes 50 ms to accept, so a SIGKILL lands mid-run, not after it."""

    def _next_answer(self) -> str:
        time.sleep(0.05)
        return super()._next_answer()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Stack:
    """The subprocesses of one test; every one is killed (by process group) at the end."""

    def __init__(self, tmp_path: Path, stub_url: str):
        self.tmp_path = tmp_path
        self.redis_port = free_port()
        self.processes: list[subprocess.Popen] = []
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("ANYMAIL_", "DJANGO_", "PLUMA_", "CELERY_"))
            and key not in ("DATABASE_URL", "REDIS_URL")
        }
        self.env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            DATABASE_URL=database_url(),
            REDIS_URL="redis://127.0.0.1:6379/13",
            CELERY_BROKER_URL=f"redis://127.0.0.1:{self.redis_port}/0",
            ANYMAIL_ESP="postmark",
            ANYMAIL_POSTMARK_SERVER_TOKEN="stub-token",
            ANYMAIL_POSTMARK_API_URL=stub_url,
            ANYMAIL_REQUESTS_TIMEOUT="3",
            PLUMA_DELIVERY_LEASE_SECONDS=str(LEASE_SECONDS),
            PLUMA_VAR_DIR=str(tmp_path / "var"),
            LETTERS_FROM_EMAIL="letters@org.example",
            LOG_LEVEL="WARNING",
        )
        self.redis: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None

    def _start(self, command: list[str], log_name: str) -> subprocess.Popen:
        log = (self.tmp_path / log_name).open("ab")
        process = subprocess.Popen(  # noqa: S603 -- our own command lines
            command,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.processes.append(process)
        return process

    @staticmethod
    def kill(process: subprocess.Popen | None) -> None:
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def start_redis(self) -> None:
        self.redis = self._start(
            [
                "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tmp_path),
            ],
            "redis.log",
        )
        client = redis.Redis(port=self.redis_port, socket_connect_timeout=1)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def restart_redis(self) -> None:
        # SIGKILL with no persistence: every message on the broker is gone.
        self.kill(self.redis)
        self.start_redis()

    def start_worker(self) -> None:
        self.worker = self._start(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool",
                "prefork",
                "--concurrency",
                str(CONCURRENCY),
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "WARNING",
            ],
            "worker.log",
        )

    def run_python(self, code: str, log_name: str) -> subprocess.Popen:
        return self._start([sys.executable, "-c", code], log_name)

    def stop(self) -> None:
        for process in reversed(self.processes):
            self.kill(process)

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name} (tail)\n" + path.read_text(errors="replace")[-3000:]
            for path in sorted(self.tmp_path.glob("*.log"))
        )


@pytest.fixture
def stub():
    server = SlowStub(hang_seconds=5).start()
    yield server
    server.stop()


@pytest.fixture
def stack(transactional_db, tmp_path, stub):
    processes = Stack(tmp_path, stub.url)
    try:
        yield processes
    finally:
        processes.stop()


def sent_count() -> int:
    return Delivery.objects.filter(status=Delivery.Status.SENT).count()


def wait_for(condition, *, until: float, step: float = 0.05) -> bool:
    while time.monotonic() < until:
        if condition():
            return True
        time.sleep(step)
    return False


def test_every_letter_arrives_once_through_a_killed_worker_and_a_restarted_broker(stack, stub):
    case = UrgentActionFactory(number="58/20")
    targets = TargetFactory.create_batch(TARGETS)
    for target in targets:
        ActionTargetFactory(action=case, target=target, tier=ActionTarget.Tier.PRIMARY)
        DeliveryPolicy.objects.create(target=target, max_per_hour=10_000_000)
    for number in range(LETTERS):
        supporter = SupporterFactory(city="Ottawa", postal_code="K1A 0B1")
        LetterFactory(case=case, supporter=supporter, targets=[targets[number % TARGETS]])

    started = time.monotonic()
    deadline = started + DEADLINE_SECONDS
    stack.start_redis()
    stack.start_worker()
    stack.run_python(SWEEP, "sweeper.log")
    queuer = stack.run_python(QUEUE_LETTERS, "queuer.log")

    assert wait_for(lambda: sent_count() >= KILL_WORKER_AT, until=deadline), stack.logs()
    stack.kill(stack.worker)
    killed_at = sent_count()
    stack.start_worker()

    assert wait_for(lambda: sent_count() >= RESTART_REDIS_AT, until=deadline), stack.logs()
    stack.restart_redis()
    restarted_at = sent_count()

    everything_sent = wait_for(lambda: sent_count() == LETTERS, until=deadline, step=0.5)
    took = time.monotonic() - started
    queuer.wait(timeout=30)
    stack.stop()
    time.sleep(0.2)  # the stub answers its last requests

    deliveries = {str(d.pk): d for d in Delivery.objects.all()}
    counts = stub.metadata_counts()
    statuses = collections.Counter(d.status for d in deliveries.values())
    uncertain = [pk for pk, d in deliveries.items() if d.is_uncertain]
    lost = [pk for pk, d in deliveries.items() if counts[pk] == 0 and not d.is_uncertain]
    duplicated = {pk: n for pk, n in counts.items() if n > 1}
    print(
        f"\n{LETTERS} letters in {took:.0f} s; worker SIGKILLed at {killed_at} sent, "
        f"Redis restarted at {restarted_at} sent; statuses {dict(statuses)}; "
        f"{len(uncertain)} uncertain, {len(lost)} lost, {len(duplicated)} duplicated "
        f"(accepted by the ESP, worker killed before recording it)"
    )

    assert everything_sent, f"{dict(statuses)}\n{stack.logs()}"
    assert killed_at < LETTERS and restarted_at < LETTERS, "the chaos came after the work"
    assert len(deliveries) == LETTERS
    assert set(counts) <= set(deliveries), "the stub got letters no delivery accounts for"
    assert lost == []
    # At most the sends in flight when the worker died: one per worker process.
    assert len(duplicated) <= CONCURRENCY, duplicated
    assert len(uncertain) <= CONCURRENCY, uncertain
    # A duplicate carries the same Message-ID both times, so mail servers can drop it.
    message_ids = collections.defaultdict(set)
    for message in stub.messages:
        headers = {h["Name"]: h["Value"] for h in message.get("Headers", [])}
        message_ids[message["Metadata"]["delivery_id"]].add(headers.get("Message-ID"))
    assert all(len(ids) == 1 for ids in message_ids.values())
    assert {pk: ids.pop() for pk, ids in message_ids.items()} == {
        pk: d.message_id for pk, d in deliveries.items() if pk in message_ids
    }
    # And nothing of a supporter's contact details reached the ESP.
    raw = str(stub.messages)
    assert "@example.net" not in raw and "K1A 0B1" not in raw
