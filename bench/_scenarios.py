"""Load, crash and scale-out scenarios shared by bench/load.py (full) and the quick tests."""

from __future__ import annotations

import http.client
import json
import subprocess
import threading
import time
from dataclasses import dataclass

from _stack import (
    PYTHON,
    ROOT,
    THREADS,
    PrivatePostgres,
    Web,
    Worker,
    app_env,
    postmaster_pid,
    seed,
    tree_cpu_seconds,
)
from _voters import VoterLog, percentile, run_voters


@dataclass
class Outcome:
    votes: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    retries: int
    lost: int  # acknowledged votes missing from the database (must be 0)
    wrong: int  # acknowledged votes stored with another value (must be 0)
    map_ok: bool
    cpu_ms: dict | None = None  # CPU ms per acknowledged vote: web processes, PostgreSQL, task worker

    @property
    def rate(self) -> float:
        return self.votes / self.seconds if self.seconds else 0.0


def _db_votes(env: dict, response_id: int) -> dict:
    out = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "_dump_votes.py"), str(response_id)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return {(email, statement): value for email, statement, value in json.loads(out.stdout.strip().splitlines()[-1])}


def verify(env: dict, seeded: dict, log: VoterLog) -> tuple[int, int]:
    stored = _db_votes(env, seeded["response"])
    lost = wrong = 0
    for (index, statement), value in log.acked.items():
        got = stored.get((f"voter{index}@example.org", statement))
        if got is None:
            lost += 1
        elif got != value:
            wrong += 1
    return lost, wrong


def flush_redis(db: int) -> None:
    import redis

    redis.Redis(host="127.0.0.1", port=6379, db=db).flushdb()


def fetch_map(port: int, seeded: dict) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(
        "GET",
        f"/api/v1/deliberation/responses/{seeded['response']}/map",
        headers={"Authorization": f"Bearer {seeded['coordinator_token']}"},
    )
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"map: {response.status} {body[:300]!r}")
    return json.loads(body)


def map_check(env: dict, response_id: int, *, timeout: float = 60.0) -> dict:
    """Wait until the worker has stored the map of the latest revision, then compare it with a fresh one."""
    deadline = time.monotonic() + timeout
    while True:
        out = subprocess.run(
            [PYTHON, str(ROOT / "bench" / "_map_check.py"), str(response_id)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        caught_up = result["cached_revision"] == result["revision"] and not result["pending"]
        if (caught_up and result["equal"]) or time.monotonic() > deadline:
            return result
        time.sleep(0.5)


def run(
    *,
    voters: int,
    statements: int,
    seconds: float,
    kill_web_at: float | None = None,
    restart_db_at: float | None = None,
    web_processes: int = 1,
    workers: int = 2,
    threads: int = THREADS,
    with_worker: bool = True,
    redis_db: int | None = None,
) -> tuple[Outcome, dict]:
    """One run of the production setup: gunicorn, a private PostgreSQL, a task worker keeping the
    map (and the statement counters) current, and `voters` concurrent voters for `seconds`."""
    pg = PrivatePostgres()
    webs: list[Web] = []
    worker = None
    try:
        extra = {"CONVENE_MAP_IN_WORKER": "true" if with_worker else "false", "CACHE_DIR": str(pg.dir / "cache")}
        if redis_db is not None:
            extra["REDIS_URL"] = f"redis://127.0.0.1:6379/{redis_db}"
            flush_redis(redis_db)  # no flag left over from an earlier run
        env = app_env(pg.create_db(), **extra)
        seeded = seed(env, voters=voters, statements=statements)
        webs = [Web(env, workers=workers, threads=threads) for _ in range(web_processes)]
        if with_worker:
            worker = Worker(env)
        faults: list[threading.Timer] = []
        if kill_web_at is not None:

            def crash():
                for web in webs:
                    web.kill()
                time.sleep(0.3)
                for web in webs:
                    web.start()

            faults.append(threading.Timer(kill_web_at, crash))
        if restart_db_at is not None:
            faults.append(threading.Timer(restart_db_at, pg.restart))
        for f in faults:
            f.start()
        roots = {"web": lambda: [w.proc.pid for w in webs], "postgres": lambda: [postmaster_pid(pg)]}
        if worker is not None:
            roots["worker"] = lambda: [worker.proc.pid]
        cpu_before = {k: tree_cpu_seconds(f()) for k, f in roots.items()}
        started = time.monotonic()
        log = run_voters([w.port for w in webs], seeded["tokens"], seeded["response"], seconds=seconds)
        elapsed = time.monotonic() - started
        # Processes restarted mid-run lose their earlier CPU: the figures are for the steady runs.
        cpu_after = {k: tree_cpu_seconds(f()) for k, f in roots.items()}
        cpu_ms = _cpu_ms_per_vote(cpu_before, cpu_after, log.votes)
        cpu_ms["client"] = round(log.client_cpu_seconds * 1000 / max(1, log.votes), 2)
        for f in faults:
            f.join()
        if worker is not None:
            worker.ensure_running()  # as a process manager would, had it died with the database
        lost, wrong = verify(env, seeded, log)
        worker_map = map_check(env, seeded["response"]) if with_worker else None
        maps = [fetch_map(w.port, seeded) for w in webs]
        map_ok = all(m == maps[0] for m in maps) and bool(maps[0])
        if worker_map is not None:
            map_ok = map_ok and worker_map["equal"] and worker_map["cached_revision"] == worker_map["revision"]
        outcome = Outcome(
            votes=log.votes,
            seconds=log.seconds or elapsed,
            p50_ms=percentile(log.latencies, 0.5) * 1000,
            p99_ms=percentile(log.latencies, 0.99) * 1000,
            errors=log.errors,
            retries=log.retries,
            lost=lost,
            wrong=wrong,
            map_ok=map_ok,
            cpu_ms=cpu_ms,
        )
        return outcome, {"seeded": seeded, "maps": maps, "env": env, "worker_map": worker_map}
    finally:
        if worker:
            worker.close()
        for web in webs:
            web.close()
        pg.close()


WARM_UP = 3.0  # seconds of unmeasured voting on each route whenever the web server starts


def side_by_side(
    *,
    voters: int,
    statements: int,
    phases: list[tuple],
    workers: int = 2,
    threads: int = THREADS,
    redis_db: int | None = None,
) -> list[tuple[str, Outcome]]:
    """Convene's vote route and the floor route (bench/_floor_urls.py) on one stack: the same
    gunicorn, settings, PostgreSQL, task worker and load client. `phases` are (name, route
    "convene" or "floor", offered votes/s or 0 for saturation, seconds, web worker processes[, threads
    a process]), run in order on the same seeded response; the server is restarted when the worker
    or thread count changes."""
    pg = PrivatePostgres()
    web = worker = None
    results = []
    try:
        extra = {"CONVENE_MAP_IN_WORKER": "true", "CACHE_DIR": str(pg.dir / "cache")}
        if redis_db is not None:
            extra["REDIS_URL"] = f"redis://127.0.0.1:6379/{redis_db}"
            flush_redis(redis_db)
        env = app_env(pg.create_db(), **extra)
        seeded = seed(env, voters=voters, statements=statements)
        worker = Worker(env)  # Convene's own settings: the floor route is the web processes' only
        env = {**env, "DJANGO_SETTINGS_MODULE": "_floor_settings", "BENCH_FLOOR_COMMUNITY": str(seeded["community"])}
        for name, route, rate, seconds, processes, *more in phases:
            per_process = more[0] if more else threads
            if web is None or (web.workers, web.threads) != (processes, per_process):
                if web is not None:
                    web.close()
                web = Web(env, workers=processes, threads=per_process)
                # New processes first import and connect lazily, and the first votes of a fresh
                # server create participants and fill the cache: both routes are warmed up,
                # unmeasured, before any phase on this server is measured.
                for warm in ("/api/v1/deliberation", "/api/floor"):
                    run_voters([web.port], seeded["tokens"], seeded["response"], seconds=WARM_UP, base=warm)
            roots = {"web": [web.proc.pid], "postgres": [postmaster_pid(pg)], "worker": [worker.proc.pid]}
            before = {k: tree_cpu_seconds(pids) for k, pids in roots.items()}
            base = "/api/v1/deliberation" if route == "convene" else "/api/floor"
            log = run_voters([web.port], seeded["tokens"], seeded["response"], seconds=seconds, rate=rate, base=base)
            after = {k: tree_cpu_seconds(pids) for k, pids in roots.items()}
            cpu = _cpu_ms_per_vote(before, after, log.votes)
            cpu["client"] = round(log.client_cpu_seconds * 1000 / max(1, log.votes), 2)
            if log.error_samples:
                print(name, "error samples:", log.error_samples[:3], flush=True)
            results.append(
                (
                    name,
                    Outcome(
                        votes=log.votes,
                        seconds=log.seconds,
                        p50_ms=percentile(log.latencies, 0.5) * 1000,
                        p99_ms=percentile(log.latencies, 0.99) * 1000,
                        errors=log.errors,
                        retries=log.retries,
                        lost=0,
                        wrong=0,
                        map_ok=True,
                        cpu_ms=cpu,
                    ),
                )
            )
            print(name, results[-1][1], flush=True)
        return results
    finally:
        if worker:
            worker.close()
        if web:
            web.close()
        pg.close()


def _cpu_ms_per_vote(before: dict, after: dict, votes: int) -> dict:
    return {k: round(max(0.0, after[k] - before[k]) * 1000 / max(1, votes), 2) for k in before}
