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
        (
            "ceiling: bare ASGI app on uvicorn's worker (as Convene is served), no database",
            ceiling(voters=voters, seconds=seconds, database=False, asgi=True),
        ),
        (
            "ceiling: bare WSGI app on the threaded worker, no database",
            ceiling(voters=voters, seconds=seconds, database=False),
        ),
        (
            "ceiling: bare WSGI app on the threaded worker + 1 PostgreSQL statement (an INSERT ... ON CONFLICT)",
            ceiling(voters=voters, seconds=seconds, database=True, statements=1),
        ),
        (
            "ceiling: bare WSGI app on the threaded worker + 3 PostgreSQL statements (round 3's lane)",
            ceiling(voters=voters, seconds=seconds, database=True),
        ),
    ]
    for name, outcome in ceilings:
        print(name, outcome, f"{outcome.rate:.0f} votes/s", flush=True)

    lines = [
        f"`bench/load.py{' --quick' if args.quick else ''}`: {voters} concurrent voters (asyncio on uvloop, one "
        f"keep-alive connection each, in a separate client process on the same 2 cores), {statements} statements, "
        f"{seconds:.0f} s per scenario; the production setup: gunicorn with uvicorn's worker (2 workers; the vote "
        f"lane on each worker's event loop, Django's other requests in {THREADS} threads), a private PostgreSQL "
        "cluster (fsync and synchronous commit on), a task worker keeping the map current, Redis for the shared "
        "cache; all on 127.0.0.1. Each request is one vote through the vote lane, whose answer carries the next "
        "statement: the votes that arrive together are written in one statement and one commit (a group commit), "
        "and each is answered once its commit is durable; the write limit is counted in the process and sent to "
        "Redis in batches.",
        "",
        "| scenario | votes | votes/s | p50 ms | p99 ms | errors | retries | acknowledged votes lost | stored with "
        "another value | map recomputes (and matches across processes / worker) | CPU ms per vote: web / "
        "PostgreSQL / worker / load client |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for name, o, _ in rows:
        cpu = o.cpu_ms or {}
        lines.append(
            f"| {name} | {o.votes} | {o.rate:.0f} | {o.p50_ms:.0f} | {o.p99_ms:.0f} | {o.errors} | "
            f"{o.retries} | {o.lost} | {o.wrong} | {'yes' if o.map_ok else 'NO'} | "
            f"{cpu.get('web', 0):.2f} / {cpu.get('postgres', 0):.2f} / {cpu.get('worker', 0):.2f} / "
            f"{cpu.get('client', 0):.2f} |"
        )
    lines += [
        "",
        "The same client against bare apps without Django: `bench/_ceiling_asgi.py` on the server Convene runs on, "
        f"and `bench/_ceiling_app.py` on gunicorn's threaded worker (2 workers × {THREADS} threads), which served "
        "Convene until round 5: without a database, with the one INSERT ... ON CONFLICT of a vote, and with the "
        "three statements of round 3's lane (lookup by token, the INSERT, a read of the voter's votes); psycopg, "
        "prepared, autocommit, no worker, one statement and one commit per vote.",
        "",
        "| reference | votes | votes/s | p50 ms | p99 ms | errors | CPU ms per vote: web / PostgreSQL / load client |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, o in ceilings:
        cpu = o.cpu_ms or {}
        lines.append(
            f"| {name} | {o.votes} | {o.rate:.0f} | {o.p50_ms:.0f} | {o.p99_ms:.0f} | {o.errors} | "
            f"{cpu.get('web', 0):.2f} / {cpu.get('postgres', 0):.2f} / {cpu.get('client', 0):.2f} |"
        )
    steady = rows[0][1]
    met = steady.rate >= 1000 and steady.p99_ms < 100 and steady.errors == 0
    lines += [
        "",
        f"Convene's steady load reaches {100 * steady.rate / max(1.0, ceilings[0][1].rate):.0f}% of what the bare "
        "ASGI app reaches on the same server doing no work at all, and "
        f"{100 * steady.rate / max(1.0, ceilings[2][1].rate):.0f}% of the threaded worker's one-statement ceiling.",
        "",
        "Target from the reliability issue: at least 1,000 votes/s with p99 under 100 ms and zero errors. "
        f"Met: **{'yes' if met else 'no'}** (steady load). The client shares the 2 cores with the server. CPU "
        "per vote is measured from /proc for the whole process trees, and by the client for itself (in the fault "
        "scenarios the restarted processes' earlier CPU is lost). Earlier rounds, for comparison: 71 votes/s, "
        "p99 946 ms (round 1); 458 votes/s, p99 225 ms (round 5, gunicorn's threaded worker, one statement per "
        "vote). See docs/reliability.md for the analysis.",
    ]
    write_section("load", "\n".join(lines))


if __name__ == "__main__":
    main()
