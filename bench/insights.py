"""Benchmark the community insights dashboard at the issue's scale, on SQLite and PostgreSQL.

    .venv/bin/python bench/insights.py                # 10,000 members, 1,000 sessions, 200,000 contributions
    .venv/bin/python bench/insights.py --quick        # a tenth of that
    .venv/bin/python bench/insights.py --backend sqlite

Each backend runs in its own child process (settings read DATABASE_URL once): a temporary
SQLite file, and for PostgreSQL a temporary database on postgres://postgres@127.0.0.1:5432
created and dropped by this script. The child migrates, bulk-loads the data, then renders
/c/<slug>/insights/ through Django's test client as the coordinator: one cold render, then
the median of several warm ones, and renders with the trend cache emptied. Target: under 500 ms
(this round's aim: under 300 ms warm). Writes its section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "src"))

PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")
TARGET_MS = 500
AIM_MS = 300


# ---------------------------------------------------------------- child: load and measure


def build(members: int, sessions: int, contributions: int, opportunities: int, seed: int = 7) -> str:
    import datetime as dt
    import random

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from convene.accounts.models import DiversityAnswer, Profile, User
    from convene.communities.models import Community, Contribution, Membership, OpportunityEntry

    rng = random.Random(seed)
    now = timezone.now()
    pw = make_password("bench-password")
    community = Community.objects.create(name="Bench Practice", slug="bench", domain="Benchmarks")
    users = [User(email=f"b{i:05d}@bench.example", password=pw) for i in range(members)]
    User.objects.bulk_create(users, batch_size=2000)
    ids = list(User.objects.filter(email__endswith="@bench.example").order_by("email").values_list("pk", flat=True))
    disciplines = [f"Discipline {i}" for i in range(14)]
    orgs = [f"Organisation {i}" for i in range(60)]
    seniority = ["student", "early", "mid", "mid", "senior", "leader", ""]
    Profile.objects.bulk_create(
        [
            Profile(
                user_id=uid,
                display_name=f"Bench Person {i:05d}",
                discipline=rng.choice(disciplines),
                organisation=rng.choice(orgs),
                seniority=rng.choice(seniority),
            )
            for i, uid in enumerate(ids)
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    Membership.objects.bulk_create(
        [
            Membership(
                community=community,
                user_id=uid,
                role="coordinator" if i == 0 else "member",
                joined_at=now - dt.timedelta(days=rng.randint(0, 730)),
            )
            for i, uid in enumerate(ids)
        ],
        batch_size=2000,
    )
    answers = []
    options = {
        "gender": ["woman", "man", "non-binary"],
        "age_band": ["under 30", "30-44", "45-59", "60+"],
        "background": ["first in family at university", "migrated as an adult", "grew up locally"],
    }
    for uid in ids:
        if rng.random() < 0.66:
            answers += [DiversityAnswer(user_id=uid, attribute=a, value=rng.choice(v)) for a, v in options.items()]
    DiversityAnswer.objects.bulk_create(answers, batch_size=5000)
    # voice is skewed: a few people talk a lot (Pareto weights), a third never do
    weights = [rng.paretovariate(1.2) if rng.random() > 0.33 else 0.0 for _ in ids]
    talkers = rng.choices(ids, weights=weights, k=contributions)
    kinds = ["turn", "turn", "statement", "vote", "vote", "note", "comment"]
    span = 540 * 24 * 3600
    batch = []
    for uid in talkers:
        batch.append(
            Contribution(
                community=community,
                user_id=uid,
                kind=rng.choice(kinds),
                context=f"session:{rng.randint(1, sessions)}",
                occurred_at=now - dt.timedelta(seconds=rng.randint(0, span)),
            )
        )
        if len(batch) == 10000:
            Contribution.objects.bulk_create(batch)
            batch = []
    Contribution.objects.bulk_create(batch)
    opp_kinds = ["facilitator", "speaker", "breakout_lead", "mentor", "mentee", "project_lead"]
    seen, opps = set(), []
    while len(opps) < opportunities:
        key = (rng.choice(ids), rng.choice(opp_kinds), f"session:{rng.randint(1, sessions)}")
        if key in seen:
            continue
        seen.add(key)
        opps.append(
            OpportunityEntry(
                community=community,
                user_id=key[0],
                kind=key[1],
                source=key[2],
                occurred_at=now - dt.timedelta(seconds=rng.randint(0, span)),
            )
        )
    OpportunityEntry.objects.bulk_create(opps, batch_size=5000)
    return "bench"


def child(args) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convene.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_s = time.perf_counter() - t
    t = time.perf_counter()
    slug = build(args.members, args.sessions, args.contributions, args.opportunities)
    load_s = time.perf_counter() - t
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    from django.core.cache import cache
    from django.urls import get_resolver

    from convene.accounts.models import User

    # What convene.wsgi does when a worker starts: import every URL module (views, API schemas)
    # and compile the URL patterns.
    t = time.perf_counter()
    from convene.wsgi import _warm_up

    _warm_up(get_resolver())
    startup_s = time.perf_counter() - t

    client = Client()
    client.force_login(User.objects.get(email="b00000@bench.example"))
    url = f"/c/{slug}/insights/"

    def render(*, clear: bool = False) -> tuple[float, float]:
        if clear:
            cache.clear()
        t, c = time.perf_counter(), time.process_time()
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return (time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000

    # cold: the first dashboard of a started worker, templates not compiled, trend cache empty
    with CaptureQueriesContext(connection) as ctx:
        cold, _ = render(clear=True)
    n_cold = len(ctx.captured_queries)
    # cache miss: what the first viewer after a backdated write or a membership change waits for
    miss = [render(clear=True) for _ in range(max(3, args.runs // 2))]
    render()  # fill the cache
    with CaptureQueriesContext(connection) as ctx:
        render()
    n_warm = len(ctx.captured_queries)
    warm = []
    for _ in range(args.runs):
        reset_queries()
        warm.append(render())
    export = []
    for _ in range(max(1, args.runs // 2)):
        t = time.perf_counter()
        assert client.get(f"/c/{slug}/insights/export.csv").status_code == 200
        export.append((time.perf_counter() - t) * 1000)
    response = client.get(url)
    print(
        "RESULT "
        + json.dumps(
            {
                "backend": connection.vendor,
                "migrate_s": migrate_s,
                "load_s": load_s,
                "startup_ms": startup_s * 1000,
                "cold_ms": cold,
                "miss_ms": statistics.median(w for w, _ in miss),
                "median_ms": statistics.median(w for w, _ in warm),
                "max_ms": max(w for w, _ in warm),
                "cpu_ms": statistics.median(c for _, c in warm),
                "export_ms": statistics.median(export),
                "queries": n_warm,
                "queries_cold": n_cold,
                "bytes": len(response.content),
            }
        )
    )


def run_child(db_url: str, args) -> dict:
    env = {**os.environ, "DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "convene.settings"}
    cmd = [
        sys.executable,
        __file__,
        "--child",
        f"--members={args.members}",
        f"--sessions={args.sessions}",
        f"--contributions={args.contributions}",
        f"--opportunities={args.opportunities}",
        f"--runs={args.runs}",
    ]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise SystemExit(f"benchmark child failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")


def sqlite(args) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        return run_child(f"sqlite:///{tmp}/bench.sqlite3", args)


def postgres(args) -> dict:
    import psycopg

    name = f"convene_bench_insights_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        base = PG_ADMIN.rsplit("/", 1)[0]
        return run_child(f"{base}/{name}", args)
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--sessions", type=int, default=1_000)
    parser.add_argument("--contributions", type=int, default=200_000)
    parser.add_argument("--opportunities", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help="do not touch bench/RESULTS.md")
    args = parser.parse_args()
    if args.quick:
        args.members, args.sessions, args.contributions, args.opportunities = 1_000, 100, 20_000, 500
    if args.child:
        child(args)
        return
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    results = []
    if args.backend in ("sqlite", "both"):
        results.append(sqlite(args))
        print(results[-1])
    if args.backend in ("postgres", "both"):
        results.append(postgres(args))
        print(results[-1])
    lines = [
        f"`bench/insights.py{' --quick' if args.quick else ''}`: community dashboard `/c/<slug>/insights/` rendered "
        f"through Django's test client as a coordinator, {args.members:,} members, {args.sessions:,} sessions, "
        f"{args.contributions:,} contributions, {args.opportunities:,} opportunities, two thirds of members with "
        f"three consented attributes. Target: under {TARGET_MS} ms.",
        "",
        "| database | cold render (ms) | cache miss (ms) | warm median (ms) | warm max (ms) | warm CPU of this process (ms) "
        "| CSV export (ms) | queries warm / cold | data load (s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['backend']} | {r['cold_ms']:.0f} | {r['miss_ms']:.0f} | **{r['median_ms']:.0f}** | {r['max_ms']:.0f} | "
            f"{r['cpu_ms']:.0f} | {r['export_ms']:.0f} | {r['queries']} / {r['queries_cold']} | {r['load_s']:.1f} |"
        )
    lines += [
        "",
        "Cold: the first dashboard a started worker renders (templates not yet compiled, trend cache empty). "
        "Cache miss: a render after the trend cache was emptied (what the first viewer after a backdated write "
        "or a membership change waits for). Warm: closed months of the trend come from the cache. "
        "Before the cold render the URL modules were imported and compiled, as `convene.wsgi` does when a worker starts ("
        + ", ".join(f"{r['backend']} {r['startup_ms']:.0f} ms" for r in results)
        + "); until this round that import happened inside the first request and was counted in the cold figure. "
        "CPU: this process only (for SQLite that includes the database, for PostgreSQL the server's time is not in it).",
    ]
    ok = all(r["median_ms"] < TARGET_MS for r in results)
    aim = all(r["median_ms"] < AIM_MS for r in results)
    lines += [
        "",
        f"Warm median under the {TARGET_MS} ms target on every database: **{ok}**; under {AIM_MS} ms: **{aim}**. One-minute load average {load_before:.1f} before and "
        f"{os.getloadavg()[0]:.1f} after, on {os.cpu_count()} cores: other work on the machine slows every figure. "
        f"_Total bench time {time.perf_counter() - started:.0f} s._",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        from _results import write_section

        write_section("insights-quick" if args.quick else "insights", text)


if __name__ == "__main__":
    main()
