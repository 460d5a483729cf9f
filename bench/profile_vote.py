"""CPU per API vote, in-process: the vote route through the WSGI application, optionally profiled.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/convene_x python bench/profile_vote.py --votes 2000 [--profile]

Seeds a fresh gathering response (64 voters with tokens, 1,000 statements) in the database named
by DATABASE_URL (it must exist and be migrated: `python -m convene migrate`), then sends votes
through `convene.wsgi.application` exactly as gunicorn would (no sockets), each voter voting on the
statement the previous answer offered. Prints CPU ms per vote of this process (web work and the
database client; PostgreSQL's own time is not in it) and, with --profile, cProfile's top entries.
Set CONVENE_MAP_IN_WORKER=true and REDIS_URL as production does.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path

from _wsgi import api_environ

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--votes", type=int, default=2000)
    parser.add_argument("--voters", type=int, default=64)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--floor", action="store_true", help="the floor route instead")
    parser.add_argument("--queries", action="store_true", help="print the SQL of the last vote")
    args = parser.parse_args()
    seeded = json.loads(
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "_seed_votes.py"), str(args.voters), "1000"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.splitlines()[-1]
    )
    os.environ["BENCH_FLOOR_COMMUNITY"] = str(seeded["community"])
    from convene.wsgi import application

    def call(method, path, token, body=b""):
        status = []
        out = b"".join(application(api_environ(method, path, token, body), lambda s, h, *a: status.append(s)))
        return status[0], out

    base = f"/api/{'floor' if args.floor else 'v1/deliberation'}/responses/{seeded['response']}"
    offered = {}
    for token in seeded["tokens"]:
        status, out = call("GET", f"{base}/next", token)
        offered[token] = json.loads(out)["statement"]["id"]
    profiler = cProfile.Profile(time.process_time) if args.profile else None  # CPU, not wall
    cpu, wall = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for i in range(args.votes):
        token = seeded["tokens"][i % len(seeded["tokens"])]
        body = json.dumps({"statement": offered[token], "value": (1, -1, 0)[i % 3]}).encode()
        status, out = call("POST", f"{base}/votes", token, body)
        if not status.startswith("200"):
            raise SystemExit(f"vote answered {status}: {out[:300]!r}")
        following = json.loads(out)["next"]["statement"]
        offered[token] = following["id"] if following else seeded["statements"][0]
    if profiler:
        profiler.disable()
    if args.queries:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        token = seeded["tokens"][0]
        body = json.dumps({"statement": offered[token], "value": 1}).encode()
        with CaptureQueriesContext(connection) as queries:
            call("POST", f"{base}/votes", token, body)
        for q in queries.captured_queries:
            print(q["sql"][:400])
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"{args.votes} votes: CPU {cpu * 1000 / args.votes:.2f} ms/vote, wall {wall * 1000 / args.votes:.2f} ms/vote")
    if profiler:
        profiler.dump_stats("/tmp/vote.prof")
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(60)
        stats.sort_stats("tottime").print_stats(40)


if __name__ == "__main__":
    main()
