"""The load generator and the report of bench/sign.py and bench/page.py.

One asyncio process speaking HTTP/1.1 over raw keep-alive sockets, so it takes as little
CPU from the server as a Python client can; its own CPU share is printed beside the
figures.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable
from typing import Protocol


def say(message: str) -> None:
    print(message, flush=True)


class Measured(Protocol):
    def cpu_seconds(self) -> dict[int, float]: ...


# --- The load generator ---------------------------------------------------------------


class HttpError(Exception):
    pass


@dataclasses.dataclass
class Response:
    status: int
    headers: dict[str, str]
    cookies: dict[str, str]
    body: bytes


class Connection:
    """One keep-alive HTTP/1.1 connection that reconnects when the server closes it."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, raw: bytes) -> Response:
        if self.writer is None:
            await self._open()
        try:
            return await self._exchange(raw)
        except (ConnectionError, asyncio.IncompleteReadError):
            # The server may close an idle keep-alive connection just as we reuse it.
            self.close()
            await self._open()
            return await self._exchange(raw)

    async def _exchange(self, raw: bytes) -> Response:
        assert self.reader is not None and self.writer is not None
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0][9:12])
        headers: dict[str, str] = {}
        cookies: dict[str, str] = {}
        for line in lines[1:]:
            if not line:
                continue
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                key, _, rest = value.partition("=")
                cookies[key] = rest.split(";", 1)[0]
            headers[name] = value
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._read_chunked()
        else:
            body = await self.reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            self.close()
        return Response(status, headers, cookies, body)

    async def _read_chunked(self) -> bytes:
        assert self.reader is not None
        chunks = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(chunks)
            chunks.append((await self.reader.readexactly(size + 2))[:-2])


def get(path: str, port: int, cookies: str = "") -> bytes:
    extra = f"Cookie: {cookies}\r\n" if cookies else ""
    return (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: */*\r\n{extra}\r\n").encode()


def post(path: str, port: int, body: bytes, cookies: str = "", headers: str = "") -> bytes:
    extra = f"Cookie: {cookies}\r\n" if cookies else ""
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Origin: http://127.0.0.1:{port}\r\n{extra}{headers}"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


@dataclasses.dataclass
class RunResult:
    seconds: float
    done: int = 0
    errors: int = 0
    latencies: list[float] = dataclasses.field(default_factory=list)
    extra: dict = dataclasses.field(default_factory=dict)
    client_cpu: float = 0.0
    server_cpu: float = float("nan")  # CPU seconds of the web server + PostgreSQL per unit of work
    first_error: str = ""

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """Latency percentile in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] * 1000


# One unit of work for one connection: records into the result, returns nothing.
Job = Callable[[Connection, int, RunResult], Awaitable[None]]


async def _drive(port: int, connections: int, seconds: float, job: Job, result: RunResult):
    deadline = time.monotonic() + seconds

    async def client(number: int) -> None:
        conn = Connection(port)
        try:
            while time.monotonic() < deadline:
                try:
                    await job(conn, number, result)
                except (OSError, asyncio.IncompleteReadError, ValueError, HttpError) as error:
                    result.errors += 1
                    result.first_error = result.first_error or repr(error)
                    conn.close()
        finally:
            conn.close()

    await asyncio.gather(*(client(n) for n in range(connections)))


def run_load(
    *, port: int, connections: int, seconds: float, job: Job, stack: Measured | None = None
) -> RunResult:
    result = RunResult(seconds=seconds)
    server_before = stack.cpu_seconds() if stack else {}
    cpu_before, started = time.process_time(), time.monotonic()
    asyncio.run(_drive(port, connections, seconds, job, result))
    result.seconds = time.monotonic() - started
    result.client_cpu = (time.process_time() - cpu_before) / result.seconds
    if stack:
        after = stack.cpu_seconds()
        used = sum(cpu - server_before.get(pid, 0.0) for pid, cpu in after.items())
        result.server_cpu = used / result.done if result.done else float("nan")
    return result


# --- Reporting ------------------------------------------------------------------------


def report(
    title: str,
    runs: dict[str, RunResult],
    *,
    unit: str,
    rate_target: float,
    p99_target=None,
    minimal: dict[str, RunResult],
) -> None:
    """The table of figures, each run beside the minimal view measured around it."""
    names = list(runs)
    width = 14
    say("")
    say(title)
    say(f"{'':<22}" + "".join(f"{name:>{width}}" for name in names) + f"{'target':>{width}}")
    one = unit[:-1]

    def against(name: str) -> tuple[float, float]:
        """(rate ÷ minimal rate, CPU ÷ minimal CPU) of a run."""
        run, base = runs[name], minimal[name]
        return (
            run.rate / base.rate if base.rate else float("nan"),
            run.server_cpu / base.server_cpu if base.server_cpu > 0 else float("nan"),
        )

    rows = [
        (f"{unit}/s", lambda n: f"{runs[n].rate:,.0f}", f"≥ {rate_target:,.0f}"),
        ("p50 (ms)", lambda n: f"{runs[n].percentile(50):.1f}", ""),
        (
            "p99 (ms)",
            lambda n: f"{runs[n].percentile(99):.1f}",
            f"< {p99_target:.0f}" if p99_target else "",
        ),
        ("errors", lambda n: f"{runs[n].errors}", "0"),
        ("load generator CPU", lambda n: f"{runs[n].client_cpu * 100:.0f}%", ""),
        (f"server CPU ms/{one}", lambda n: f"{runs[n].server_cpu * 1000:.2f}", ""),
        (
            "→ on 2 free cores",
            lambda n: f"{2 / runs[n].server_cpu:,.0f}/s" if runs[n].server_cpu > 0 else "-",
            f"≥ {rate_target:,.0f}/s",
        ),
        ("minimal view req/s", lambda n: f"{minimal[n].rate:,.0f}", ""),
        ("  load generator CPU", lambda n: f"{minimal[n].client_cpu * 100:.0f}%", ""),
        ("  server CPU ms/req.", lambda n: f"{minimal[n].server_cpu * 1000:.3f}", ""),
        ("rate ÷ minimal view", lambda n: f"{against(n)[0]:.3f}", ""),
        ("CPU ÷ minimal view", lambda n: f"{against(n)[1]:.1f}", ""),
    ]
    for label, value, target in rows:
        say(f"{label:<22}" + "".join(f"{value(n):>{width}}" for n in names) + f"{target:>{width}}")
    if len(names) == 2:
        first, second = runs[names[0]], runs[names[1]]
        ratio = second.rate / first.rate if first.rate else 0.0
        label = f"ratio ({names[1]} / {names[0]})"
        say(f"{label:<22}{ratio * 100:>{width}.0f}%{'≥ 90%':>{width}}")
        # The same, each run first divided by its own minimal view: the machine's drift
        # between the two runs cancels out.
        steady = against(names[1])[0] / against(names[0])[0]
        say(f"{'  against minimal':<22}{steady * 100:>{width}.0f}%{'≥ 90%':>{width}}")
    say("")
    for name in names:
        rate, cpu = against(name)
        say(
            f"{name}: {runs[name].rate:,.0f} {unit}/s = {rate:.3f} × minimal view"
            f" ({minimal[name].rate:,.0f} requests/s); one {one} costs the server CPU of"
            f" {cpu:.1f} minimal requests"
        )
    for name, run in {**runs, **{f"minimal view ({n})": minimal[n] for n in names}}.items():
        if run.first_error:
            say(f"  first error in {name}: {run.first_error}")
