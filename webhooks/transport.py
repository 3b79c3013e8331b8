"""The one network call of webhooks: POST a body to an endpoint and say what came back.

Never raises for what the network or the endpoint does: every outcome is an `Answer` the
caller records. Each call waits at most PLUMA_WEBHOOK_TIMEOUT to connect and as long for
each read; redirects are not followed (an endpoint that moved must be edited, so a
signed event is never handed on to an address nobody chose); only the start of the answer
is read and kept, for the log.
"""

from __future__ import annotations

import dataclasses
import threading
import time

import requests
from django.conf import settings

USER_AGENT = "Pluma-Webhooks/1"
# How much of an answer is read and kept in the log.
KEEP_BYTES = 1000

_local = threading.local()


@dataclasses.dataclass(frozen=True)
class Answer:
    status: int | None
    body: str
    duration_ms: int
    error: str = ""

    @property
    def is_success(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _session() -> requests.Session:
    """This thread's session: connections to an endpoint are kept open between events."""
    session: requests.Session | None = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        session.headers["User-Agent"] = USER_AGENT
        _local.session = session
    return session


def post(*, url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST ``body`` as JSON to ``url``; an Answer whatever happens."""
    timeout = settings.PLUMA_WEBHOOK_TIMEOUT
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        with _session().post(
            url,
            data=body,
            headers={"Content-Type": "application/json", **headers},
            timeout=(timeout, timeout),
            allow_redirects=False,
            stream=True,
        ) as response:
            start = next(response.iter_content(KEEP_BYTES), b"")
            return Answer(
                status=response.status_code,
                body=start.decode("utf-8", errors="replace"),
                duration_ms=took(),
            )
    except (requests.RequestException, OSError) as exc:
        # The connection may be broken half-way: the next event starts on a fresh one.
        _local.session = None
        error = "timed out" if isinstance(exc, requests.Timeout) else _describe(exc)
        return Answer(status=None, body="", duration_ms=took(), error=error)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]
