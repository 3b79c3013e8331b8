"""Instructions per signature and per delivered letter, counted by valgrind's callgrind,
and each as a ratio to the instructions of one request to the minimal view.

Timings on a shared machine measure the neighbours as much as the code; instruction counts
do not. Each figure is the difference between two runs of the same process under
`valgrind --tool=callgrind`, one doing SMALL operations and one doing LARGE, with the same
start-up and set-up in both, divided by LARGE - SMALL:

- sign: a session GET (`/api/v1/actions/<case>/session/`) and a form POST
  (`/petition/<case>/sign/`), served in-process by Django's WSGI handler as granian would
  call it, with the settings of production (DEBUG off, PostgreSQL, Redis);
- deliver: one confirmed letter to one official taken by the worker's path
  (`letters.services.deliver_many`, 20 rows to a batch), sent through Django's in-memory
  email backend, so what is counted is Pluma's claim, build, pace and record, not an ESP's
  HTTP client;
- minimal: one GET of the minimal view (`/__bench__/minimal/`, _minimal.py: b"ok" through
  the whole middleware stack), served the same way with bench.settings; it is counted
  first, and the others are also printed as so many minimal requests.

Only the Python process is counted: PostgreSQL's and Redis's work is not. The copies a
web process keeps for a second or two are kept for the whole run (`_steady_state`), so
the figure is a busy process's and does not move with the machine's load. Counts move by
about ±0.1 M between runs (garbage collection).

    .venv/bin/python bench/instructions.py            # both, on a fresh database
    .venv/bin/python bench/instructions.py --only sign --reuse-database
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from _minimal import SETTINGS, in_process, wsgi_request

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
DB_NAME = "pluma_instructions"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_URL = "redis://127.0.0.1:6379/11"
CASE_SLUG = "114-26"
SMALL, LARGE = 40, 240
WARM_UP = 20
UNITS = {
    "minimal": "minimal request",
    "sign": "signature (session GET + form POST)",
    "deliver": "delivered letter",
}


def environment(var_dir: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PLUMA_VAR_DIR": var_dir,
        "LOG_LEVEL": "WARNING",
        "PLUMA_TRUSTED_PROXIES": "1",
        "PYTHONHASHSEED": "0",
    }
    env.pop("DJANGO_ENV", None)
    return env


def prepare(env: dict[str, str]) -> None:
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    for command in (["migrate", "--noinput", "-v0"], ["load_demo"]):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True)  # noqa: S603


def count(env: dict[str, str], what: str, operations: int) -> int:
    """Instructions of one child process doing ``operations`` of ``what``."""
    with tempfile.TemporaryDirectory() as out:
        result = subprocess.run(  # noqa: S603
            [
                shutil.which("valgrind") or "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}/callgrind.out",
                PYTHON,
                __file__,
                "--child",
                what,
                "--operations",
                str(operations),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
    if result.returncode != 0:
        sys.exit(f"{what} × {operations} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    match = re.search(r"Collected : (\d+)", result.stderr)
    if match is None:
        sys.exit(f"callgrind printed no count:\n{result.stderr[-2000:]}")
    return int(match.group(1))


# --- the child: what is counted -------------------------------------------------------


def _steady_state() -> None:
    """Keep every per-process and shared copy fresh for the whole run.

    A busy web process re-reads a public case, the counts and the blocklist once a second
    or two and asks for one confirmation dispatch a second, whatever the number of
    signatures in between: at hundreds a second, nothing per signature. Under valgrind a
    signature takes a fifth of a second of wall time, so those once-a-second costs would
    land on every few signatures, and more often the busier the machine is. Lifetimes of
    an hour measure the steady state, the same on a quiet and on a loaded machine. A
    delivering worker likewise re-reads the holds of its batch once a second.
    """
    import datetime

    from django.conf import settings

    from campaigns import defences as abuse
    from campaigns import pages
    from letters.services import sending
    from petitions import counts, services

    settings.PLUMA_PUBLIC_CASE_SECONDS = 3600
    settings.PLUMA_COUNT_CACHE_SECONDS = 3600
    counts.LOCAL_SECONDS = 3600
    abuse.BLOCKLIST_LOCAL_SECONDS = abuse.BLOCKLIST_CACHE_SECONDS = 3600
    services.CONFIRMATIONS.seconds = 3600
    pages.REVISION_LOCAL_SECONDS = 3600
    sending.HOLD_RECHECK = datetime.timedelta(hours=1)


def child_sign(operations: int) -> None:
    import json

    from django.core.handlers.wsgi import WSGIHandler

    _steady_state()

    from cms.models import ActionPage

    handler = WSGIHandler()
    page = ActionPage.objects.live().filter(action__number=CASE_SLUG.replace("-", "/")).first()
    revision = str(page.live_revision_id or "") if page else ""
    run = f"{os.getpid()}-{time.time_ns()}"
    session_path = f"/api/v1/actions/{CASE_SLUG}/session/"
    sign_path = f"/petition/{CASE_SLUG}/sign/"

    def one(number: int) -> None:
        address = f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"
        line, _headers, content = wsgi_request(
            handler, "GET", session_path, headers={"X-Forwarded-For": address}
        )
        assert line.startswith("200"), line
        data = json.loads(content)
        body = urlencode(
            {
                "name": f"Counted Visitor {number}",
                "email": f"counted-{run}-{number}@example.org",
                "country": "CA",
                "consent": "on",
                "page_revision": revision,
                "source": "bench",
                "started": _old_enough(data.get("started", "")),
                "website": "",
            }
        ).encode()
        line, _headers, _content = wsgi_request(
            handler,
            "POST",
            sign_path,
            body=body,
            headers={
                "X-Forwarded-For": address,
                "Origin": "http://127.0.0.1:8000",
                "Sec-Fetch-Site": "same-origin",
            },
        )
        assert line.startswith(("302", "303")), (line, _content[:300])

    for number in range(WARM_UP):
        one(number)
    for number in range(WARM_UP, WARM_UP + operations):
        one(number)


def _old_enough(started: str) -> str:
    """The form's start time as if it had been filled in for a minute (not too fast)."""
    if not started:
        return started
    from campaigns import defences as abuse

    return abuse.form_started_token(issued_at=time.time() - 60)


def child_deliver(operations: int) -> None:
    from django.test.utils import override_settings

    from letters import services
    from letters.models import Delivery

    _steady_state()
    # The same rows are made in every run, so set-up cancels out of the difference.
    ids = _make_deliveries(LARGE + WARM_UP)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        todo = ids[: WARM_UP + operations]
        for start in range(0, len(todo), 20):
            services.deliver_many(delivery_ids=todo[start : start + 20])
    sent = Delivery.objects.filter(pk__in=ids[: WARM_UP + operations], status="sent").count()
    assert sent == WARM_UP + operations, sent


def _make_deliveries(number: int) -> list[int]:
    """Confirmed letters, one official each, with no pace to wait for."""
    import datetime

    from django.db import transaction
    from django.utils import timezone

    from campaigns.models import Supporter, Target, UrgentAction
    from letters import services
    from letters.models import Delivery, DeliveryPolicy, Letter

    case = UrgentAction.objects.get(number=CASE_SLUG.replace("-", "/"))
    stamp = time.time_ns()
    targets = [
        Target.objects.create(
            name=f"Counted Official {stamp}-{n}",
            country="MX",
            salutation="Señor",
            email=f"official-{stamp}-{n}@example.org",
        )
        for n in range(10)
    ]
    for target in targets:
        DeliveryPolicy.objects.create(target=target, max_per_hour=1_000_000)
    letter_fields = {field.name for field in Letter._meta.get_fields()}
    with transaction.atomic():
        for n in range(number):
            supporter = Supporter.objects.create(
                email=f"writer-{stamp}-{n}@example.org",
                email_canonical=f"writer-{stamp}-{n}@example.org",
                name=f"Writer {n}",
                country="CA",
            )
            extra = {"name": supporter.name} if "name" in letter_fields else {}
            letter = Letter.objects.create(
                case=case,
                supporter=supporter,
                subject="Protect {target_name}",
                body="Body " * 40,
                **extra,
            )
            letter.targets.set([targets[n % len(targets)]])
            services.queue_letter(letter=letter)
    past = timezone.now() - datetime.timedelta(seconds=5)
    rows = Delivery.objects.filter(
        letter__case=case, letter__supporter__email__startswith=f"writer-{stamp}-"
    )
    rows.update(next_attempt_at=past)
    return list(rows.order_by("pk").values_list("pk", flat=True))


def child_minimal(operations: int) -> None:
    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()
    in_process(handler, WARM_UP)
    in_process(handler, operations)


def child(what: str, operations: int) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    {"sign": child_sign, "deliver": child_deliver, "minimal": child_minimal}[what](operations)


# --- the parent -----------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["sign", "deliver"])
    parser.add_argument("--reuse-database", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--operations", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.operations)
        return
    var_dir = tempfile.mkdtemp(prefix="pluma-instructions-")
    env = environment(var_dir)
    if not args.reuse_database:
        prepare(env)
    per = {}
    for what in ["minimal", *([args.only] if args.only else ["sign", "deliver"])]:
        # Only the minimal view needs the benches' URLconf; the others run production's.
        settings = SETTINGS if what == "minimal" else env["DJANGO_SETTINGS_MODULE"]
        counted = {**env, "DJANGO_SETTINGS_MODULE": settings}
        small, large = count(counted, what, SMALL), count(counted, what, LARGE)
        per[what] = (large - small) / (LARGE - SMALL)
        ratio = "" if what == "minimal" else f" = {per[what] / per['minimal']:.1f} minimal requests"
        print(
            f"{what}: {per[what] / 1e6:.2f} M instructions a {UNITS[what]}{ratio}"
            f"  ({small:,} / {large:,})",
            flush=True,
        )


if __name__ == "__main__":
    main()
