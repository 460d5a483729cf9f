"""Load, crash and scale-out runs against the production setup (gunicorn + PostgreSQL) on 127.0.0.1.

    python bench/load.py            # full figures into bench/RESULTS.md (a few minutes)
    python bench/load.py --quick    # small and short

Bounded and self-stopping: every run has a fixed duration and a fixed set of voters, and all
traffic goes to 127.0.0.1. The private PostgreSQL cluster and the web processes are torn down
at the end of each run.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

from _results import write_section  # noqa: E402
from _scenarios import ceiling, run  # noqa: E402
from _stack import THREADS  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    voters, statements, seconds = (8, 1000, 8) if args.quick else (32, 1000, 20)
    rows = []
    scenarios = [
        ("steady load, 1 web process × 2 workers", {"redis_db": 14}),
        ("web processes SIGKILLed and restarted mid-run", {"kill_web_at": seconds * 0.3, "redis_db": 14}),
        ("database restarted (immediate stop) mid-run", {"restart_db_at": seconds * 0.5, "redis_db": 14}),
        (
            "scale-out: 2 web processes + 1 task worker",
            {"web_processes": 2, "workers": 1, "redis_db": 14},
        ),
    ]
    for name, options in scenarios:
        outcome, extra = run(voters=voters, statements=statements, seconds=seconds, **options)
        rows.append((name, outcome, extra))
        print(name, outcome, f"{outcome.rate:.0f} votes/s", flush=True)

    ceilings = [
        ("ceiling: bare WSGI app, no database", ceiling(voters=voters, seconds=seconds, database=False)),
        (
            "ceiling: bare WSGI app + 1 PostgreSQL statement (the vote's INSERT)",
            ceiling(voters=voters, seconds=seconds, database=True, statements=1),
        ),
        (
            "ceiling: bare WSGI app + 3 PostgreSQL statements (round 3's lane)",
            ceiling(voters=voters, seconds=seconds, database=True),
        ),
    ]
    for name, outcome in ceilings:
        print(name, outcome, f"{outcome.rate:.0f} votes/s", flush=True)

    lines = [
        f"`bench/load.py{' --quick' if args.quick else ''}`: {voters} concurrent voters (asyncio, one keep-alive "
        f"connection each, in a separate client process on the same 2 cores), {statements} statements, "
        f"{seconds:.0f} s per scenario; the production setup: gunicorn (gthread, 2 workers × {THREADS} threads), a "
        "private PostgreSQL cluster (fsync and synchronous commit on), a task worker keeping the map current, "
        "Redis for the shared cache; all on 127.0.0.1. Each request is one vote through the vote lane (one "
        "PostgreSQL statement per vote; the write limit counted in the process and sent to Redis in batches) whose answer carries the next statement.",
        "",
        "| scenario | votes | votes/s | p50 ms | p99 ms | errors | retries | acknowledged votes lost | stored with another value | map recomputes (and matches across processes / worker) | CPU ms per vote: web / PostgreSQL / worker |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for name, o, _ in rows:
        lines.append(
            f"| {name} | {o.votes} | {o.rate:.0f} | {o.p50_ms:.0f} | {o.p99_ms:.0f} | {o.errors} | "
            f"{o.retries} | {o.lost} | {o.wrong} | {'yes' if o.map_ok else 'NO'} | "
            f"{o.cpu_ms.get('web', 0):.2f} / {o.cpu_ms.get('postgres', 0):.2f} / {o.cpu_ms.get('worker', 0):.2f} |"
        )
    lines += [
        "",
        f"The same client and the same gunicorn (2 workers × {THREADS} threads) against `bench/_ceiling_app.py`, "
        "a bare WSGI app without Django that answers what the lane answers: what a bare Python WSGI app "
        "reaches on these 2 cores with this client, without a database, with the one INSERT ... ON CONFLICT "
        "a durable vote needs, and with the three statements of round 3's lane (lookup by token, the "
        "INSERT, a read of the voter's votes); psycopg, prepared, autocommit, no worker.",
        "",
        "| reference | votes | votes/s | p50 ms | p99 ms | errors | CPU ms per vote: web / PostgreSQL |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, o in ceilings:
        lines.append(
            f"| {name} | {o.votes} | {o.rate:.0f} | {o.p50_ms:.0f} | {o.p99_ms:.0f} | {o.errors} | "
            f"{o.cpu_ms.get('web', 0):.2f} / {o.cpu_ms.get('postgres', 0):.2f} |"
        )
    steady = rows[0][1]
    lines += [
        "",
        f"Convene's steady load reaches {100 * steady.rate / max(1.0, ceilings[1][1].rate):.0f}% of the "
        "one-statement ceiling (which has no rate limit, no map worker and no next-statement draw).",
    ]
    lines += [
        "",
        "Target from the reliability issue: at least 1,000 votes/s with p99 under 100 ms and zero errors. "
        f"Met: **{'yes' if rows[0][1].rate >= 1000 and rows[0][1].p99_ms < 100 else 'no'}** (steady load). "
        "The client shares the 2 cores with the server. CPU per vote is measured from /proc for the "
        "whole process trees (in the fault scenarios the restarted processes' earlier CPU is lost). "
        "Earlier rounds, for comparison: 71 votes/s, p99 946 ms (round 1); 229 votes/s, p99 526 ms (round 3, "
        "a slower machine). See docs/reliability.md for the analysis.",
    ]
    write_section("load", "\n".join(lines))


if __name__ == "__main__":
    main()
