"""Signing over HTTP like a browser, empty and with a million signatures pre-loaded.

Each signature is one visitor: GET the case's session endpoint (the form's signed start
time and the live count; it sets no cookie), then, once the form has been "filled in" for
longer than the minimum fill time, POST the signing form, same-origin as a browser says
it (Sec-Fetch-Site), with a unique email from the visitor's own address (X-Forwarded-For
behind one trusted proxy). A 302 to the check-your-email page is an acknowledged
signature; afterwards every acknowledged email must be in the database (lost = 0), and
none may be flagged. Each run is measured beside the minimal view (_minimal.py).

Run with `make bench-sign` (or `.venv/bin/python bench/sign.py --seconds 10`). Exits 0
whatever the timing; 1 if a signature was lost or flagged, nothing was signed, or the
minimal view did not answer 200.
"""

import collections
import dataclasses
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h  # noqa: E402
import _minimal  # noqa: E402

SIGN_TARGET = 600
P99_TARGET = 100
# A little over petitions.abuse.MIN_FILL_SECONDS: faster forms are flagged as bots.
FILL_SECONDS = 3.2
WARM_UP_SECONDS = FILL_SECONDS + 1


@dataclasses.dataclass
class Visitor:
    address: str
    started: str
    issued_at: float


class Signing:
    """The visitors of one run: who fetched a form, who signed, with which email."""

    def __init__(self, stack: h.Stack, run: str):
        self.stack = stack
        self.run = run
        self.waiting: collections.deque[Visitor] = collections.deque()
        self.acknowledged: list[str] = []
        self.session_latencies: list[float] = []
        self.visitors = 0
        case = stack.case
        self.session_request = f"/api/v1/actions/{case.slug}/session/"
        self.sign_path = f"/petition/{case.slug}/sign/"

    def _address(self) -> str:
        self.visitors += 1
        n = self.visitors
        return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"

    async def fetch_form(self, conn: h.Connection) -> None:
        address = self._address()
        raw = h.get(self.session_request, self.stack.port).replace(
            b"\r\n\r\n", f"\r\nX-Forwarded-For: {address}\r\n\r\n".encode(), 1
        )
        started = time.monotonic()
        response = await conn.request(raw)
        if response.status != 200:
            raise h.HttpError(f"session endpoint answered {response.status}")
        self.session_latencies.append(time.monotonic() - started)
        data = json.loads(response.body)
        self.waiting.append(
            Visitor(
                address=address,
                started=data.get("started", ""),
                issued_at=time.monotonic(),
            )
        )

    async def sign(self, conn: h.Connection, visitor: Visitor, result: h.RunResult) -> None:
        email = f"bench-{self.run}-{os.getpid()}-{visitor.address.replace('.', '-')}@example.org"
        body = urlencode(
            {
                "name": f"Bench Visitor {visitor.address}",
                "email": email,
                "country": "CA",
                "consent": "on",
                "page_revision": self.stack.case.revision or "",
                "source": "bench",
                "started": visitor.started,
                "website": "",
            }
        ).encode()
        raw = h.post(
            self.sign_path,
            self.stack.port,
            body,
            headers=f"X-Forwarded-For: {visitor.address}\r\nSec-Fetch-Site: same-origin\r\n",
        )
        started = time.monotonic()
        response = await conn.request(raw)
        if response.status not in (302, 303) or "check-your-email" not in response.headers.get(
            "location", ""
        ):
            raise h.HttpError(f"sign answered {response.status}: {response.body[:200]!r}")
        result.latencies.append(time.monotonic() - started)
        result.done += 1
        self.acknowledged.append(email)

    async def job(self, conn: h.Connection, number: int, result: h.RunResult) -> None:
        await self.fetch_form(conn)
        oldest = self.waiting[0]
        if time.monotonic() - oldest.issued_at >= FILL_SECONDS:
            await self.sign(conn, self.waiting.popleft(), result)


def stored_emails(action_id: int, run: str) -> tuple[set[str], int]:
    """The bench emails of a run signed on the case, and how many of them are flagged."""
    with h.pg_connect() as conn:
        rows = conn.execute(
            """
            SELECT s.email, g.is_flagged FROM petitions_signature g
            JOIN campaigns_supporter s ON s.id = g.supporter_id
            WHERE g.action_id = %s AND s.email LIKE %s
            """,
            (action_id, f"bench-{run}-{os.getpid()}-%"),
        ).fetchall()
    return {email for email, _ in rows}, sum(1 for _, flagged in rows if flagged)


def measure(stack: h.Stack, run: str) -> tuple[h.RunResult, int, int]:
    args = stack.args
    signing = Signing(stack, run)
    h.run_load(
        port=stack.port, connections=args.connections, seconds=WARM_UP_SECONDS, job=signing.job
    )
    signing.session_latencies.clear()
    h.say(f"Run '{run}': {args.connections} connections for {args.seconds:.0f} s …")
    result = h.run_load(
        port=stack.port,
        connections=args.connections,
        seconds=args.seconds,
        job=signing.job,
        stack=stack,
    )
    session = h.RunResult(seconds=result.seconds, latencies=signing.session_latencies)
    result.extra["session p99"] = session.percentile(99)
    stored, flagged = stored_emails(stack.case.action_id, run)
    lost = len(set(signing.acknowledged) - stored)
    h.say(
        f"  acknowledged {len(signing.acknowledged):,} (with warm-up), stored {len(stored):,},"
        f" lost {lost}, flagged {flagged}"
    )
    return result, lost, flagged


def measure_around(stack: h.Stack, run: str) -> tuple[tuple[h.RunResult, int, int], h.RunResult]:
    """The run, and the minimal view's run around it (same server, connections, time)."""
    args = stack.args
    return _minimal.around(
        lambda: measure(stack, run),
        port=stack.port,
        connections=args.connections,
        seconds=args.seconds,
        stack=stack,
    )


def main() -> int:
    args = h.parse_args(__doc__.splitlines()[0])
    runs, minimal, problems = {}, {}, 0
    with h.Stack(args) as stack:
        (result, lost, flagged), minimal["empty"] = measure_around(stack, "empty")
        runs["empty"], problems = result, lost + flagged
        if not args.skip_million:
            h.say(f"Pre-loading {args.rows:,} confirmed signatures …")
            took = h.preload_signatures(
                env=stack.env, action_id=stack.case.action_id, rows=args.rows
            )
            h.say(f"  done in {took:.0f} s")
            stack.forget_cached()
            name = f"{args.rows // 1000:,}k"
            (result, lost, flagged), minimal[name] = measure_around(stack, "million")
            runs[name], problems = result, problems + lost + flagged
    h.report(
        f"Signing UA {stack.case.slug} (GET session + POST form per signature; latency of the POST)",
        runs,
        unit="signatures",
        rate_target=SIGN_TARGET,
        p99_target=P99_TARGET,
        minimal=minimal,
    )
    h.say(
        "session GET p99 (ms)  "
        + "".join(f"{run.extra['session p99']:>14.1f}" for run in runs.values())
    )
    h.say(f"lost or flagged signatures: {problems} (must be 0)")
    broken = (
        problems > 0
        or any(run.done == 0 for run in runs.values())
        or any(_minimal.is_broken(run) for run in minimal.values())
    )
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
