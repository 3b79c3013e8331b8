"""/healthz and /readyz: what a load balancer or an orchestrator asks each web node.

- /healthz: the process answers. Nothing else is touched, so a database outage never
  makes an orchestrator restart every web node at once.
- /readyz: the database, Redis and the Celery broker each answer within a second (checked
  side by side); otherwise 503, naming which did not, and the node should get no traffic.

Both are answered by config.middleware above sessions, locale, auth and the page cache,
and under no language prefix. Never cached (no-store) and never logged per hit: a probe
every few seconds from every balancer would drown the logs, and a failing one would log
a warning each time (Django logs every 4xx and 5xx response it returns).

Each check runs in a thread of its own (one per kind and process), so a dead host that
never answers the TCP handshake costs a probe one second, not the driver's timeout. A
check still running when the next probe comes is waited on again rather than started
twice: a flood of probes costs at most one check of each kind at a time per process. The
database check keeps its thread's connection between probes (closed when it breaks or
outlives CONN_MAX_AGE, as requests do); an error says only the exception's class, since
its message may name internal hosts.
"""

from __future__ import annotations

import concurrent.futures
import json
import math
import threading
import time
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

CHECK_SECONDS = 1.0


def _database() -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    connection.close_if_unusable_or_obsolete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


_redis_clients: dict[str, redis.Redis] = {}


def _redis() -> None:
    url = settings.REDIS_URL
    if url not in _redis_clients:
        _redis_clients[url] = redis.Redis.from_url(
            url, socket_timeout=CHECK_SECONDS, socket_connect_timeout=CHECK_SECONDS
        )
    _redis_clients[url].ping()


def _broker() -> None:
    from .celery import app

    # A fresh connection each time: it proves the broker takes new ones, which is what
    # enqueueing after a commit needs. Connecting to Redis also pings it (kombu).
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=0, timeout=math.ceil(CHECK_SECONDS))


class Check:
    """One kind of check, run in its own thread; concurrent probes share a running one."""

    def __init__(self, name: str, probe: Callable[[], None]) -> None:
        self.name = name
        self.probe = probe
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix=f"readyz-{name}"
        )
        self._lock = threading.Lock()
        self._running: concurrent.futures.Future[None] | None = None

    def start(self) -> concurrent.futures.Future[None]:
        with self._lock:
            if self._running is None or self._running.done():
                self._running = self._executor.submit(self.probe)
            return self._running

    def close_connection(self) -> None:
        """Close the database connection this check's thread holds (tests, shutdown)."""
        self._executor.submit(connections.close_all).result(timeout=10)


DATABASE = Check("database", _database)
REDIS = Check("redis", _redis)
BROKER = Check("broker", _broker)


def checks() -> list[Check]:
    """The services this node needs: Redis only when it is configured (REDIS_URL)."""
    return [DATABASE, *([REDIS] if settings.REDIS_URL else []), BROKER]


def readiness() -> dict[str, str]:
    """Each check's outcome: "ok", "timed out after 1 s" or the error's class."""
    deadline = time.monotonic() + CHECK_SECONDS
    running = [(check.name, check.start()) for check in checks()]
    outcome = {}
    for name, future in running:
        try:
            future.result(timeout=max(0.0, deadline - time.monotonic()))
        except concurrent.futures.TimeoutError:
            outcome[name] = f"timed out after {CHECK_SECONDS:g} s"
        except Exception as error:
            outcome[name] = f"failed: {type(error).__name__}"
        else:
            outcome[name] = "ok"
    return outcome


def _answer(status: int, body: dict[str, object]) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body), status=status, content_type="application/json; charset=utf-8"
    )
    response["Cache-Control"] = "no-store"
    # Django logs every 4xx/5xx response; a node that is not ready is a state, not an error
    # to log once per probe.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    return _answer(200, {"status": "ok"})


def readyz(request: HttpRequest) -> HttpResponse:
    outcome = readiness()
    if all(value == "ok" for value in outcome.values()):
        return _answer(200, {"status": "ok", "checks": outcome})
    failed = sorted(name for name, value in outcome.items() if value != "ok")
    return _answer(503, {"status": "unavailable", "failed": failed, "checks": outcome})
