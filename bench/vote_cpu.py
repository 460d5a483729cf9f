"""CPU per API vote for Convene's vote route and the floor route, in one run, on PostgreSQL.

    PYTHONPATH=src python bench/vote_cpu.py --db convene_mine [--votes 1000] [--rounds 3] [--redis-db 13]

CPU time is far steadier than throughput on a shared machine, so this is the figure to compare
between two versions of the route. The script makes a fresh database `<db>` from a migrated
template `<db>_template` (created on first use), seeds a gathering response (64 voters with tokens,
1,000 statements, bench/_seed_votes.py), then sends votes through the WSGI application in this
process exactly as gunicorn would (no sockets), with bench/load.py's production settings (Redis
cache, the map in a worker, persistent connections) and the floor route beside Convene's
(bench/_floor_settings.py). Rounds alternate: Convene's route, then the floor's, `--rounds` times.

Per route it prints the median over rounds of CPU ms per vote of this process (the web work: Django,
ninja, the drivers) and of the PostgreSQL backend serving this process's connection (read from
/proc/<pid>/stat of `pg_backend_pid()`, so other sessions' queries are not counted), and the SQL
statements of one steady vote. `--profile` writes cProfile stats (CPU time) of Convene's route to
/tmp/vote_cpu.prof, prints the top entries and the Python function calls of a steady vote of each
route (deterministic: the figure to compare when the machine is too busy for CPU times).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from _wsgi import api_environ

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TICK = os.sysconf("SC_CLK_TCK")


def _psql(server: str, sql: str) -> str:
    return subprocess.run(
        ["psql", server, "-tAc", sql], check=True, capture_output=True, text=True, timeout=120
    ).stdout.strip()


def fresh_database(base_url: str, db: str, env: dict) -> str:
    """A new database `db`, copied from a migrated template `<db>_template` (made on first use)."""
    parts = urlsplit(base_url)
    server = f"{parts.scheme}://{parts.netloc}/postgres"
    template = f"{db}_template"
    if not _psql(server, f"SELECT 1 FROM pg_database WHERE datname = '{template}'"):
        _psql(server, f'CREATE DATABASE "{template}"')
        url = f"{parts.scheme}://{parts.netloc}/{template}"
        subprocess.run(
            [PYTHON, "-m", "convene", "migrate", "-v0"], env={**env, "DATABASE_URL": url}, cwd=ROOT, check=True
        )
    _psql(server, f'DROP DATABASE IF EXISTS "{db}"')
    _psql(server, f'CREATE DATABASE "{db}" TEMPLATE "{template}"')
    return f"{parts.scheme}://{parts.netloc}/{db}"


def backend_cpu(pid: int) -> float:
    """User + system CPU seconds of one PostgreSQL backend process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True, help="database name (dropped and recreated)")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    parser.add_argument("--votes", type=int, default=1000, help="votes per route per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--voters", type=int, default=64)
    parser.add_argument("--redis-db", type=int, default=13)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "bench")]),
        "CONVENE_ENV": "production",
        "SECRET_KEY": "load-test-only-" + "k" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DB_CONN_MAX_AGE": "3600",  # one connection, so one backend to read the CPU of
        "LOG_LEVEL": "ERROR",
        "CONVENE_API_WRITES_PER_MINUTE": "1000000",
        "CONVENE_MAP_IN_WORKER": "true",
        "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "DJANGO_SETTINGS_MODULE": "convene.settings",
    }
    env["DATABASE_URL"] = fresh_database(args.server, args.db, env)
    subprocess.run(["redis-cli", "-n", str(args.redis_db), "flushdb"], check=True, capture_output=True)
    seeded = json.loads(
        subprocess.run(
            [PYTHON, str(ROOT / "bench" / "_seed_votes.py"), str(args.voters), "1000"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.splitlines()[-1]
    )
    env.update({"DJANGO_SETTINGS_MODULE": "_floor_settings", "BENCH_FLOOR_COMMUNITY": str(seeded["community"])})
    os.environ.update(env)
    sys.path[:0] = [str(ROOT / "src"), str(ROOT / "bench")]
    from django.db import connection  # noqa: PLC0415 - settings are chosen above
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    from convene.wsgi import application  # noqa: PLC0415

    def call(method, path, token, body=b""):
        status = []
        out = b"".join(application(api_environ(method, path, token, body), lambda s, h, *a: status.append(s)))
        return status[0], out

    bases = {
        "convene": f"/api/v1/deliberation/responses/{seeded['response']}",
        "floor": f"/api/floor/responses/{seeded['response']}",
    }
    offered = {}
    for token in seeded["tokens"]:
        status, out = call("GET", f"{bases['convene']}/next", token)
        offered[token] = json.loads(out)["statement"]["id"]
    counter = [0]

    def vote(route: str) -> None:
        i = counter[0]
        counter[0] += 1
        token = seeded["tokens"][i % len(seeded["tokens"])]
        body = json.dumps({"statement": offered[token], "value": (1, -1, 0)[i % 3]}).encode()
        status, out = call("POST", f"{bases[route]}/votes", token, body)
        if not status.startswith("200"):
            raise SystemExit(f"{route} vote answered {status}: {out[:300]!r}")
        if route == "convene":
            following = json.loads(out)["next"]["statement"]
            offered[token] = following["id"] if following else seeded["statements"][0]

    def steady_calls(route: str) -> int:
        profiler = cProfile.Profile()
        profiler.enable()
        vote(route)
        profiler.disable()
        return sum(entry.callcount for entry in profiler.getstats())

    def backend() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    for route in bases:  # warm up: caches filled, code paths imported
        for _ in range(200):
            vote(route)
    figures = {route: {"web": [], "pg": []} for route in bases}
    profilers = {route: cProfile.Profile(time.process_time) for route in bases} if args.profile else {}
    for _ in range(args.rounds):
        for route in bases:
            pid = backend()
            cpu, pg = time.process_time(), backend_cpu(pid)
            if profilers:
                profilers[route].enable()
            for _ in range(args.votes):
                vote(route)
            if profilers:
                profilers[route].disable()
            cpu, pg = time.process_time() - cpu, backend_cpu(pid) - pg
            if backend() != pid:
                raise SystemExit("the database connection was replaced during a round: CPU figures would be wrong")
            figures[route]["web"].append(cpu * 1000 / args.votes)
            figures[route]["pg"].append(pg * 1000 / args.votes)
    queries = {}
    for route in bases:
        with CaptureQueriesContext(connection) as captured:
            vote(route)
        queries[route] = [q["sql"] for q in captured.captured_queries]

    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    print(f"{args.rounds} rounds of {args.votes} votes a route; load average {' '.join(load)}")
    print("route      web CPU ms/vote (median; all)        PostgreSQL CPU ms/vote (median; all)   queries")
    for route, got in figures.items():
        web, pg = got["web"], got["pg"]
        print(
            f"{route:8}  {statistics.median(web):6.2f} ({', '.join(f'{x:.2f}' for x in web)})"
            f"   {statistics.median(pg):6.2f} ({', '.join(f'{x:.2f}' for x in pg)})   {len(queries[route])}"
        )
    ratio = statistics.median(figures["floor"]["web"]) / statistics.median(figures["convene"]["web"])
    both = [statistics.median(figures[r]["web"]) + statistics.median(figures[r]["pg"]) for r in bases]
    print(f"floor / Convene: web CPU {ratio:.0%}, web + PostgreSQL CPU {both[1] / both[0]:.0%}")
    print("SQL of one steady Convene vote:")
    for sql in queries["convene"]:
        print("   ", sql[:200])
    if profilers:
        profilers["convene"].dump_stats("/tmp/vote_cpu.prof")
        stats = pstats.Stats(profilers["convene"])
        stats.sort_stats("cumulative").print_stats(50)
        stats.sort_stats("tottime").print_stats(30)
        # Python function calls of a steady vote (the median over 200 votes, so that the odd vote
        # that refills an expired cache entry does not count): the same whatever the load.
        calls = {route: statistics.median(steady_calls(route) for _ in range(200)) for route in bases}
        print(f"Python function calls of a steady vote: Convene {calls['convene']:,.0f}, floor {calls['floor']:,.0f}")


if __name__ == "__main__":
    main()
