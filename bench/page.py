"""Anonymous GETs of a case page under a flood, empty and with a million signatures.

Run with `make bench-page` (or `.venv/bin/python bench/page.py --seconds 10`). Prints
pages/s, p50 and p99 for both runs and the targets beside them, and each run's ratio to
the minimal view measured around it (_minimal.py); exits 0 whatever the timing, and 1
only when something is broken (a page or a minimal view that is not a 200).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h  # noqa: E402
import _minimal  # noqa: E402

PAGE_TARGET = 1500
WARM_UP_SECONDS = 3


def page_job(path: str, port: int) -> h.Job:
    raw = h.get(path, port)

    async def job(conn: h.Connection, number: int, result: h.RunResult) -> None:
        started = h.time.monotonic()
        response = await conn.request(raw)
        if response.status != 200:
            raise h.HttpError(f"GET {path} answered {response.status}")
        result.latencies.append(h.time.monotonic() - started)
        result.done += 1

    return job


def measure(stack: h.Stack, label: str) -> h.RunResult:
    args, case = stack.args, stack.case
    job = page_job(case.page_path, stack.port)
    h.run_load(port=stack.port, connections=args.connections, seconds=WARM_UP_SECONDS, job=job)
    h.say(f"Run '{label}': {args.connections} connections for {args.seconds:.0f} s …")
    return h.run_load(
        port=stack.port, connections=args.connections, seconds=args.seconds, job=job, stack=stack
    )


def measure_around(stack: h.Stack, label: str) -> tuple[h.RunResult, h.RunResult]:
    """The run, and the minimal view's run around it (same server, connections, time)."""
    args = stack.args
    return _minimal.around(
        lambda: measure(stack, label),
        port=stack.port,
        connections=args.connections,
        seconds=args.seconds,
        stack=stack,
    )


def main() -> int:
    args = h.parse_args(__doc__.splitlines()[0])
    runs, minimal = {}, {}
    with h.Stack(args) as stack:
        runs["empty"], minimal["empty"] = measure_around(stack, "empty")
        if not args.skip_million:
            h.say(f"Pre-loading {args.rows:,} confirmed signatures …")
            took = h.preload_signatures(
                env=stack.env, action_id=stack.case.action_id, rows=args.rows
            )
            h.say(f"  done in {took:.0f} s")
            stack.forget_cached()
            name = f"{args.rows // 1000:,}k"
            runs[name], minimal[name] = measure_around(stack, "with signatures")
    h.report(
        f"Case page {stack.case.page_path}, anonymous GET",
        runs,
        unit="pages",
        rate_target=PAGE_TARGET,
        minimal=minimal,
    )
    broken = any(run.done == 0 for run in runs.values()) or any(
        _minimal.is_broken(run) for run in minimal.values()
    )
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
