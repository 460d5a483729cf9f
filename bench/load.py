"""Convene's vote route beside the floor route, on one stack; and the fault runs.

    python bench/load.py             # side by side into bench/RESULTS.md (about two minutes)
    python bench/load.py --quick     # shorter phases
    python bench/load.py --faults    # also the crash and scale-out runs (as tests/reliability)

The stack is production's: gunicorn's threaded worker serving convene.wsgi, a private
PostgreSQL cluster (fsync and synchronous commit on), a django-tasks worker keeping the map
current, Redis for the shared cache; all on 127.0.0.1. The floor route (bench/_floor_urls.py)
authenticates the token with Convene's token auth and makes one INSERT: the ceiling for any vote
on this stack, served by the same processes with the same settings and driven by the same client.
Bounded and self-stopping: every phase has a fixed duration and a fixed set of voters.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))

from _results import write_section  # noqa: E402
from _scenarios import WARM_UP, run, side_by_side  # noqa: E402
from _stack import THREADS  # noqa: E402

VOTERS = 64  # a room of about 1,000 people, each clicking every 3-5 seconds
RATE = 250  # votes/s offered in the paced phases


def _machine() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    return f"{platform.node()}: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}; `uptime` before the run: {load}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--faults", action="store_true")
    args = parser.parse_args()
    machine = _machine()
    paced, saturated = (8, 6) if args.quick else (20, 12)
    phases = [
        (f"Convene, paced {RATE} votes/s", "convene", RATE, paced, 2),
        (f"floor, paced {RATE} votes/s", "floor", RATE, paced / 2, 2),
        ("Convene, saturated", "convene", 0, saturated, 2),
        ("floor, saturated", "floor", 0, saturated, 2),
        ("Convene, saturated, 1 web process", "convene", 0, saturated, 1),
        ("floor, saturated, 1 web process", "floor", 0, saturated, 1),
        (f"Convene, saturated, 4 web processes of {THREADS // 2} threads", "convene", 0, saturated, 4, THREADS // 2),
        (f"floor, saturated, 4 web processes of {THREADS // 2} threads", "floor", 0, saturated, 4, THREADS // 2),
    ]
    rows = side_by_side(voters=VOTERS, statements=1000, phases=phases, redis_db=14)
    by = dict(rows)
    convene, floor = by["Convene, saturated"], by["floor, saturated"]
    share = 100 * convene.rate / max(1.0, floor.rate)
    steady = by[f"Convene, paced {RATE} votes/s"]
    floor_paced = by[f"floor, paced {RATE} votes/s"]
    met_paced = steady.p99_ms < 150 and steady.errors == 0
    lines = [
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine}.",
        "",
        f"`bench/load.py{' --quick' if args.quick else ''}`: {VOTERS} voters (one keep-alive connection each, "
        "asyncio, in a separate client process on the same cores), 1,000 statements; gunicorn's threaded worker "
        f"(`gthread`, {THREADS} threads a process) serving `convene.wsgi`, a private PostgreSQL cluster (fsync and "
        "synchronous commit on), a django-tasks worker keeping the map current, Redis for the shared cache; all on "
        "127.0.0.1. Each Convene request is one vote through `POST /api/v1/deliberation/responses/<id>/votes` "
        "(token auth, `response_for_voting`, `vote_cast`, `next_statement`); each floor request is "
        "`POST /api/floor/responses/<id>/votes` on the same server and settings (token auth and one INSERT, "
        "bench/_floor_urls.py). Whenever the web server starts, both routes are warmed up unmeasured for "
        f"{WARM_UP:.0f} s each. Paced phases offer a fixed rate, latency counted from when each vote was due; "
        "saturated phases vote as fast as answers come. A phase's clock starts once every voter has read its "
        "first statement.",
        "",
        "| phase | votes | votes/s | p50 ms | p99 ms | errors | retries | CPU ms per vote: web / PostgreSQL / "
        "worker / load client |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, o in rows:
        cpu = o.cpu_ms or {}
        lines.append(
            f"| {name} | {o.votes} | {o.rate:.0f} | {o.p50_ms:.0f} | {o.p99_ms:.0f} | {o.errors} | {o.retries} | "
            f"{cpu.get('web', 0):.2f} / {cpu.get('postgres', 0):.2f} / {cpu.get('worker', 0):.2f} / "
            f"{cpu.get('client', 0):.2f} |"
        )
    one = by["Convene, saturated, 1 web process"]
    four = by[f"Convene, saturated, 4 web processes of {THREADS // 2} threads"]
    lines += [
        "",
        f"Targets (issue 16): at {RATE} votes/s offered by {VOTERS} voters, p99 under 150 ms and zero errors: "
        f"**{'met' if met_paced else 'not met'}** (p99 {steady.p99_ms:.0f} ms, {steady.errors} errors; the floor "
        f"route's p99 at the same rate: {floor_paced.p99_ms:.0f} ms). At "
        f"saturation Convene's vote route reaches **{share:.0f}%** of the floor route's throughput "
        f"(target at least 50%: **{'met' if share >= 50 else 'not met'}**). Web processes: 1 → 2 (of {THREADS} threads) → 4 "
        f"(of {THREADS // 2}) take Convene from {one.rate:.0f} to {convene.rate:.0f} to {four.rate:.0f} votes/s on this "
        "machine.",
    ]
    if args.faults:
        lines += [
            "",
            "| fault run | votes | votes/s | p99 ms | errors | retries | acknowledged votes lost | wrong | map |",
        ]
        lines += ["|---|---:|---:|---:|---:|---:|---:|---:|---|"]
        for name, options in [
            (
                "web processes SIGKILLed and restarted, then the database restarted",
                {"kill_web_at": 2.5, "restart_db_at": 6.0},
            ),
            ("scale-out: 2 web processes + 1 task worker", {"web_processes": 2, "workers": 1, "redis_db": 14}),
        ]:
            o, _ = run(voters=8, statements=1000, seconds=10, **options)
            lines.append(
                f"| {name} | {o.votes} | {o.rate:.0f} | {o.p99_ms:.0f} | {o.errors} | {o.retries} | {o.lost} | "
                f"{o.wrong} | {'same everywhere' if o.map_ok else 'DIFFERS'} |"
            )
    write_section("load", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
