"""The minimal Django view each bench is measured against, in the same run.

The machine is shared, so a run's absolute figures say as much about the neighbours as
about Pluma. bench/urls.py adds one route to production's URLconf, /__bench__/minimal/,
answering b"ok" through the whole middleware stack: the least a request to this site can
cost. The benches measure it with the same server and connections as the phase beside
it, half its duration just before the phase and half just after (a neighbour that starts
or stops mid-run weighs on both alike), and print the ratio that counts: pages/s ÷
minimal requests/s, CPU a page ÷ CPU a minimal request.

A minimal view that answers anything but 200 "ok" is broken: the benches exit 1.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import TypeVar

import _harness as h

PATH = "/__bench__/minimal/"
SETTINGS = "bench.settings"
NOT_OK = "not 200 ok"
T = TypeVar("T")


def _is_ok(status: int, body: bytes) -> bool:
    return status == 200 and body == b"ok"


def job(port: int) -> h.Job:
    raw = h.get(PATH, port)

    async def one(conn: h.Connection, number: int, result: h.RunResult) -> None:
        started = time.monotonic()
        response = await conn.request(raw)
        if not _is_ok(response.status, response.body):
            result.extra[NOT_OK] = result.extra.get(NOT_OK, 0) + 1
            raise h.HttpError(f"GET {PATH} answered {response.status}")
        result.latencies.append(time.monotonic() - started)
        result.done += 1

    return one


def answers(port: int) -> bool:
    """Whether the server answers the minimal view; exits 1 if it answers wrongly."""

    async def ask() -> h.Response:
        conn = h.Connection(port)
        try:
            return await conn.request(h.get(PATH, port))
        finally:
            conn.close()

    try:
        response = asyncio.run(ask())
    except (OSError, asyncio.IncompleteReadError):
        return False
    if not _is_ok(response.status, response.body):
        sys.exit(f"the minimal view {PATH} answered {response.status} {response.body[:80]!r}")
    return True


def around(
    phase: Callable[[], T], *, port: int, connections: int, seconds: float, stack: h.Measured
) -> tuple[T, h.RunResult]:
    """Run `phase` between two halves of a minimal-view run of `seconds` in all."""
    if not answers(port):
        sys.exit(f"the server did not answer {PATH}")
    load = {"port": port, "connections": connections, "job": job(port), "stack": stack}
    h.say(f"Minimal view: {connections} connections for {seconds / 2:.0f} s before, and after")
    before = h.run_load(seconds=seconds / 2, **load)
    outcome = phase()
    after = h.run_load(seconds=seconds / 2, **load)
    return outcome, merge(before, after)


def merge(*runs: h.RunResult) -> h.RunResult:
    """One run out of several: rates over the whole time, CPU over all the requests."""
    seconds = sum(run.seconds for run in runs)
    done = sum(run.done for run in runs)
    measured = [run for run in runs if run.done and not math.isnan(run.server_cpu)]
    cpu = sum(run.server_cpu * run.done for run in measured)
    return h.RunResult(
        seconds=seconds,
        done=done,
        errors=sum(run.errors for run in runs),
        latencies=[latency for run in runs for latency in run.latencies],
        extra={NOT_OK: sum(run.extra.get(NOT_OK, 0) for run in runs)},
        client_cpu=sum(run.client_cpu * run.seconds for run in runs) / seconds,
        server_cpu=cpu / sum(run.done for run in measured) if measured else float("nan"),
        first_error=next((run.first_error for run in runs if run.first_error), ""),
    )


def is_broken(run: h.RunResult) -> bool:
    return run.done == 0 or run.extra.get(NOT_OK, 0) > 0


# --- for benches without a web server of their own ------------------------------------


class Server:
    """granian as in production (2 processes × 4 threads) serving bench.settings, for the
    benches whose work is not a web request (deliver.py)."""

    def __init__(self, env: dict[str, str], *, workers: int = 2, threads: int = 4):
        self.env = {**env, "DJANGO_SETTINGS_MODULE": SETTINGS}
        self.port = h.free_port()
        self.command = h.server_command("granian", self.port, workers=workers, threads=threads)
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(self.command, cwd=h.ROOT, env=self.env)  # noqa: S603
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit("granian exited before it answered")
            if answers(self.port):
                return self
            time.sleep(0.2)
        sys.exit(f"granian did not answer {PATH} within 60 s")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def cpu_seconds(self) -> dict[int, float]:
        """CPU time used so far by the server's processes (the view touches no database)."""
        pids = [self.process.pid, *h.children(self.process.pid)] if self.process else []
        return {pid: h.cpu_of(pid) for pid in pids}


# --- in-process, for benches that time a function (handover.py, instructions.py) ------


def wsgi_request(handler, method: str, path: str, *, body: bytes = b"", headers=None):
    """One request through Django's WSGI handler, as granian calls it: (status line,
    headers, body)."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
        "CONTENT_LENGTH": str(len(body)),
        **{
            f"HTTP_{name.upper().replace('-', '_')}": value
            for name, value in (headers or {}).items()
        },
    }
    if body:
        environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
    status = {}

    def start_response(line, response_headers, exc_info=None):
        status["line"], status["headers"] = line, response_headers

    response = handler(environ, start_response)
    with contextlib.closing(response):
        content = b"".join(response)
    return status["line"], dict(status["headers"]), content


def in_process(handler, operations: int) -> None:
    """`operations` minimal-view requests through `handler`; exits 1 if one is not 200 ok."""
    for _ in range(operations):
        line, _headers, content = wsgi_request(handler, "GET", PATH)
        if not _is_ok(int(line[:3]), content):
            sys.exit(f"the minimal view {PATH} answered {line} {content[:80]!r}")


def seconds_in_process(seconds: float) -> float:
    """Wall seconds a minimal-view request takes in this process (Django set up, with
    bench.settings), served by Django's WSGI handler for `seconds` in all."""
    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()
    in_process(handler, 50)  # warm up: the URLconf and middleware are built lazily
    done, started = 0, time.monotonic()
    while time.monotonic() - started < seconds:
        in_process(handler, 100)
        done += 100
    return (time.monotonic() - started) / done


def seconds_in_subprocess(seconds: float) -> float:
    """seconds_in_process() in a Python process of its own, with this one's environment
    and bench.settings: the caller's memory and imports stay as they were (the URLconf
    alone imports Wagtail's admin, some 20 MB)."""
    result = subprocess.run(  # noqa: S603 -- our own command line
        [h.PYTHON, __file__, str(seconds)],
        cwd=h.ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        sys.exit(f"the minimal view failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return float(result.stdout.split()[-1])


if __name__ == "__main__":
    sys.path.insert(0, str(h.ROOT))
    import django

    django.setup()
    print(seconds_in_process(float(sys.argv[1])))
