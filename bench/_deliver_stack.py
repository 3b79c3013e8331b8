"""The stack bench/deliver.py measures, and what it costs: the environment the processes
share, a fresh database and broker, the Celery worker processes, and the CPU each part of
the stack spends, read from /proc.

Needs PostgreSQL at postgres@127.0.0.1:5432 (the database `pluma_bench_deliver` is dropped
and recreated) and Redis at 127.0.0.1:6379 (DB 12 is flushed).
"""

from __future__ import annotations

import collections
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.letters.esp_stub import StubProcess

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DB_NAME = "pluma_bench_deliver"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
BROKER_URL = "redis://127.0.0.1:6379/12"


def stack_env(stub_url: str, var_dir: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ANYMAIL_", "DJANGO_", "PLUMA_", "CELERY_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=BROKER_URL,
        CELERY_BROKER_URL=BROKER_URL,
        ANYMAIL_ESP="postmark",
        ANYMAIL_POSTMARK_SERVER_TOKEN="bench-token",  # noqa: S106 -- the stub's
        ANYMAIL_POSTMARK_API_URL=stub_url,
        PLUMA_VAR_DIR=var_dir,
        DEBUG="false",
        LOG_LEVEL="WARNING",
    )
    return env


def recreate_database(env: dict[str, str]) -> None:
    import psycopg
    import redis

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    redis.Redis.from_url(BROKER_URL).flushdb()
    result = subprocess.run(  # noqa: S603 -- our own command line
        [PYTHON, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        sys.exit(f"migrate failed:\n{result.stdout}\n{result.stderr}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_workers(args, env: dict[str, str], log_dir: str) -> list[subprocess.Popen]:
    workers = []
    for number in range(1, args.workers + 1):
        log = open(Path(log_dir) / f"worker{number}.log", "wb")  # noqa: SIM115
        workers.append(
            subprocess.Popen(  # noqa: S603 -- our own command line
                [
                    PYTHON,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "-n",
                    f"bench{number}@%h",
                    "--pool",
                    args.pool,
                    "--concurrency",
                    str(args.concurrency),
                    "--without-gossip",
                    "--without-mingle",
                    "-l",
                    "WARNING",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        log.close()
    return workers


def wait_until_ready(app, workers: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(app.control.ping(timeout=1.0)) >= workers:
            return
    sys.exit("the workers did not answer a ping within a minute")


def stop(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)


def stack_cpu(workers: list[subprocess.Popen], stub: StubProcess) -> dict[str, float]:
    """CPU seconds used so far, by part of the stack: the workers (all their processes),
    their database backends, the broker, the ESP stub and this script (the producer
    confirming letters, and the polling) with its database backend.

    The machine may be shared: other work slows a run but does not add to this, so CPU
    per letter tells what two idle cores would do. The broker's Redis may serve others
    too, so its share is an upper bound.
    """
    import resource

    from django.db import connection

    groups = {worker.pid for worker in workers}
    worker_pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if int(stat[2]) in groups:
                worker_pids.append(int(entry.name))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, pid = pg_backend_pid() FROM pg_stat_activity WHERE datname = %s",
            [DB_NAME],
        )
        backends = {pid: "pg-producer" if ours else "pg" for pid, ours in cursor.fetchall()}
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "workers": sum(cpu_of(pid) for pid in worker_pids),
        # Per backend, so one that ends mid-run cannot make the difference negative.
        **{f"{part}:{pid}": cpu_of(pid) for pid, part in backends.items()},
        "redis": sum(cpu_of(pid) for pid in _redis_pids()),
        "stub": cpu_of(stub.process.pid),
        "producer": usage.ru_utime + usage.ru_stime,
    }


def cpu_used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """CPU seconds per part between two stack_cpu() readings."""
    used = collections.Counter()
    for key, seconds in after.items():
        used[key.partition(":")[0]] += seconds - before.get(key, 0.0)
    return {
        "workers": used["workers"],
        "PostgreSQL (workers)": used["pg"],
        "Redis (broker)": used["redis"],
        "ESP stub": used["stub"],
        "producer": used["producer"],
        "PostgreSQL (producer)": used["pg-producer"],
    }


def cpu_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _redis_pids() -> list[int]:
    """The broker's redis-server (the one on port 6379), if it runs on this machine."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if command and command[0].startswith(b"redis-server") and b":6379" in command[0]:
                pids.append(int(entry.name))
    return pids
