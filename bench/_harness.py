"""What bench/sign.py and bench/page.py share: a fresh stack, the web server, and a load
generator.

The stack is real: PostgreSQL (a database of its own, dropped and recreated), Redis (DB 14,
flushed), the demo site, and granian (as in production) or gunicorn serving config.wsgi
with bench.settings (production's, plus the minimal view of _minimal.py). The load
generator (an asyncio client over raw keep-alive sockets) and the report live in _load.py,
re-exported here.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DB_NAME = "pluma_bench"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_URL = "redis://127.0.0.1:6379/14"
CASE_SLUG = "114-26"

# Best of the settings tried on the 2-core bench machine for each server (bench/README.md).
# gunicorn: a process runs one thread of Python at a time and keeps the connections it
# accepted, so twice as many processes as cores did best. granian spreads requests over
# its threads itself; one process per core with four threads did best.
DEFAULT_SIZES = {"granian": (2, 4), "gunicorn": (4, 2)}


def parse_args(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seconds", type=float, default=30, help="length of each run")
    parser.add_argument("--connections", type=int, default=16, help="concurrent clients")
    parser.add_argument("--workers", type=int, help="server processes (default: per server)")
    parser.add_argument(
        "--threads", type=int, help="threads per process (gunicorn: 1 means sync workers)"
    )
    parser.add_argument(
        "--server", default="granian", choices=sorted(DEFAULT_SIZES), help="WSGI server"
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="signatures to pre-load")
    parser.add_argument("--skip-million", action="store_true", help="only the empty run")
    parser.add_argument(
        "--reuse-database",
        action="store_true",
        help="keep the last run's database (quicker when trying server settings)",
    )
    args = parser.parse_args()
    workers, threads = DEFAULT_SIZES[args.server]
    args.workers = args.workers or workers
    args.threads = args.threads or threads
    return args


# --- The stack ------------------------------------------------------------------------


def server_env(var_dir: str) -> dict[str, str]:
    env = {
        **os.environ,
        # Production's settings and URLconf, plus the minimal view (bench/urls.py).
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PLUMA_VAR_DIR": var_dir,
        "LOG_LEVEL": "WARNING",
        # The load comes from one machine but stands for many people: each visitor sends
        # its own address in X-Forwarded-For, as a load balancer would.
        "PLUMA_TRUSTED_PROXIES": "1",
    }
    env.pop("DJANGO_ENV", None)
    return env


def pg_connect(url: str = DATABASE_URL, **kwargs):
    import psycopg

    return psycopg.connect(url, **kwargs)


def recreate_database() -> None:
    with pg_connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 (our own command line)
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


CASE_INFO = """
import json
from cms.models import ActionPage
page = ActionPage.objects.live().filter(action__number={number!r}, locale__language_code="en").get()
print(json.dumps({{"action_id": page.action_id, "page_path": page.get_url(),
                   "revision": page.live_revision_id}}))
"""


@dataclasses.dataclass
class Case:
    action_id: int
    slug: str
    page_path: str
    revision: int | None


class Stack:
    """A fresh database and Redis DB with the demo loaded, and the web server on them."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.var_dir = tempfile.mkdtemp(prefix="pluma-bench-")
        self.env = server_env(self.var_dir)
        self.port = free_port()
        self.server: subprocess.Popen | None = None
        self.case: Case | None = None

    def __enter__(self) -> Stack:
        started = time.monotonic()
        flush_redis()
        if not self.args.reuse_database:
            say(f"Recreating database {DB_NAME} and flushing Redis DB 14 …")
            recreate_database()
        manage(self.env, "migrate", "--noinput", "-v0")
        if not self.args.reuse_database:
            manage(self.env, "load_demo", "-v0")
        Path(self.var_dir, "static").mkdir()
        output = manage(
            self.env, "shell", "-c", CASE_INFO.format(number=CASE_SLUG.replace("-", "/"))
        )
        info = json.loads(output.strip().splitlines()[-1])
        self.case = Case(slug=CASE_SLUG, **info)
        say(f"  ready in {time.monotonic() - started:.0f} s; case page {self.case.page_path}")
        self.start_server()
        return self

    def __exit__(self, *exc) -> None:
        self.stop_server()
        shutil.rmtree(self.var_dir, ignore_errors=True)

    def start_server(self) -> None:
        command = server_command(
            self.args.server, self.port, workers=self.args.workers, threads=self.args.threads
        )
        self.server = subprocess.Popen(command, cwd=ROOT, env=self.env)  # noqa: S603
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                sys.exit(f"{self.args.server} exited before it answered")
            with contextlib.suppress(OSError, ValueError, asyncio.IncompleteReadError):
                if asyncio.run(self._answers()):
                    return
            time.sleep(0.2)
        sys.exit(f"{self.args.server} did not answer the case page within 60 s")

    async def _answers(self) -> bool:
        """Whether the case page is served, by every worker (one request per thread)."""
        conns = [Connection(self.port) for _ in range(self.args.workers * 4)]
        raw = get(self.case.page_path, self.port, cookies="sessionid=warm-up")
        responses = await asyncio.gather(*(conn.request(raw) for conn in conns))
        for conn in conns:
            conn.close()
        return all(response.status == 200 for response in responses)

    def stop_server(self) -> None:
        if self.server and self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.server.kill()

    def cpu_seconds(self) -> dict[int, float]:
        """CPU time used so far by the web server's processes and this database's backends.

        Other work on the machine slows a run down but does not add to these, so CPU per
        request is the figure to trust when the machine is shared.
        """
        pids = [self.server.pid, *children(self.server.pid)] if self.server else []
        with contextlib.suppress(Exception), pg_connect(autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (DB_NAME,),
            ).fetchall()
            pids += [pid for (pid,) in rows]
        return {pid: cpu_of(pid) for pid in pids}

    def forget_cached(self) -> None:
        """Flush Redis DB 14 (page cache, counts, queued emails) after changing data."""
        flush_redis()


def server_command(server: str, port: int, *, workers: int, threads: int) -> list[str]:
    """The command line of granian (as in production) or gunicorn serving config.wsgi."""
    if server == "granian":
        say(f"Starting granian: {workers} workers × {threads} blocking threads")
        return [
            str(ROOT / ".venv" / "bin" / "granian"),
            "--interface",
            "wsgi",
            "config.wsgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--blocking-threads",
            str(threads),
            "--log-level",
            "warning",
            "--no-ws",
        ]
    kind = ["-k", "sync"] if threads <= 1 else ["-k", "gthread", "--threads", str(threads)]
    say(f"Starting gunicorn: {workers} workers, {kind[1]}" + (f" × {threads}" * (threads > 1)))
    return [
        GUNICORN,
        "config.wsgi",
        "-b",
        f"127.0.0.1:{port}",
        "-w",
        str(workers),
        *kind,
        # Import the site once in the master: workers start warm and share its memory.
        "--preload",
        "--keep-alive",
        "30",
        "--log-level",
        "warning",
    ]


def children(pid: int) -> list[int]:
    with contextlib.suppress(OSError):
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return []


def cpu_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    # utime and stime, the 14th and 15th fields of the whole line.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


PRELOAD = """
import time
from django.db import connection, models, transaction
from campaigns.models import Supporter
from petitions.models import Signature, SignatureCountShard

def insert_select(model, given, source):
    # Every other column gets its model default, so new fields need no change here.
    columns, values, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.column in given:
            values.append(given[field.column])
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values.append("now()")
        else:
            values.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
    sql = f"INSERT INTO {{model._meta.db_table}} ({{', '.join(columns)}}) SELECT {{', '.join(values)}} FROM {{source}}"
    return sql, params

rows, action_id = {rows}, {action_id}
supporters, s_params = insert_select(
    Supporter,
    {{"email": "'preload' || i || '@bench.example.org'",
     "email_canonical": "'preload' || i || '@bench.example.org'",
     "name": "'Preloaded Supporter ' || i", "country": "'MX'", "language": "'en'",
     "public_id": "gen_random_uuid()"}},
    "generate_series(1, %s) AS i",
)
signatures, g_params = insert_select(
    Signature,
    {{"action_id": str(action_id), "supporter_id": "id", "name": "name",
     "status": "'confirmed'", "country": "'MX'", "language": "'en'", "source": "'preload'",
     "confirmed_at": "now()", "signed_at": "now()"}},
    "new_supporters",
)
started = time.monotonic()
with transaction.atomic(), connection.cursor() as cursor:
    cursor.execute("SET LOCAL synchronous_commit = off")
    cursor.execute(
        f"WITH new_supporters AS ({{supporters}} RETURNING id, name) {{signatures}}",
        [*s_params, rows, *g_params],
    )
    SignatureCountShard.objects.bulk_create(
        [SignatureCountShard(action_id=action_id, shard=i) for i in range(16)],
        ignore_conflicts=True,
    )
    SignatureCountShard.objects.filter(action_id=action_id, shard=0).update(
        confirmed=models.F("confirmed") + rows
    )
with connection.cursor() as cursor:
    cursor.execute("VACUUM ANALYZE campaigns_supporter")
    cursor.execute("VACUUM ANALYZE petitions_signature")
"""


def preload_signatures(*, env: dict[str, str], action_id: int, rows: int) -> float:
    """Add `rows` confirmed signatures (and their supporters) to a case, counts included.

    One INSERT … SELECT generate_series for both tables (seconds, where the ORM would take
    hours), built from the models so every other column gets its default. The count
    shards get the same number, so the shown count stays exact.
    """
    started = time.monotonic()
    manage(env, "shell", "-c", PRELOAD.format(rows=int(rows), action_id=int(action_id)))
    return time.monotonic() - started


# The load generator lives in _load.py; the scripts reach it through this module.
from _load import (  # noqa: E402, F401
    Connection,
    HttpError,
    Job,
    Measured,
    Response,
    RunResult,
    get,
    post,
    report,
    run_load,
    say,
)
