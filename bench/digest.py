"""Benchmark the daily notification digest at the issue's scale, beside the naive approach.

    .venv/bin/python bench/digest.py             # 10,000 members in 50 communities, ~5 notifications each
    .venv/bin/python bench/digest.py --quick     # a tenth of that

One child process builds a temporary SQLite database (members, memberships, mail preferences and
unmailed notifications); two copies of it are then digested, each in a fresh child process so
that its peak memory (ru_maxrss) is the digest's own:

- Convene: `notifications.mail.digest_run("daily")`, one streamed query for everyone, one SMTP
  connection, notifications marked mailed in chunks;
- naive: for each member, their preferences, then their unmailed notifications, then one UPDATE
  (a few queries per member), as one would write it first.

Both send to a real SMTP server (aiosmtpd, `_smtp_sink.py`) in a separate process that only counts
what it receives, so the SMTP conversation is measured but the sink does not share the digest's
interpreter (`--sink count` builds every MIME message but sends nothing, as earlier runs did). Both
must send the same mails. Each run records its wall time and where it went: CPU time of the process,
time spent waiting for a CPU (the kernel's run-queue delay, /proc/self/schedstat: on a shared
machine the wait that is not the program's), in database calls and in the SMTP conversation; and
peak memory. Targets: under 60 s (wall) and under 500 MB for the Convene run; the script exits
non-zero when it misses them. Writes its section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "src"))

TARGET_S = 60
TARGET_MB = 500


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convene.settings")
    import django

    django.setup()
    from django.conf import settings

    port = os.environ.get("BENCH_SMTP_PORT")
    if port:
        settings.EMAIL_BACKEND = "_timed_smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", int(port)
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 30
    else:
        settings.EMAIL_BACKEND = "_count_mail.EmailBackend"


def _run_queue_wait() -> float:
    """Seconds this process spent runnable but waiting for a CPU (Linux; 0 elsewhere)."""
    try:
        return int(Path("/proc/self/schedstat").read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def build(members: int, communities: int, per_member: int, seed: int = 19) -> dict:
    import datetime as dt
    import random

    from django.core.management import call_command
    from django.utils import timezone

    from convene.accounts.models import User
    from convene.communities.models import Community, Membership
    from convene.notifications.models import Notification, Preference

    call_command("migrate", verbosity=0)
    rng = random.Random(seed)
    now = timezone.now()
    t = time.perf_counter()
    Community.objects.bulk_create(
        [
            Community(name=f"Bench community {i:02d}", slug=f"bench-{i:02d}", domain="Benchmarks")
            for i in range(communities)
        ]
    )
    community_ids = list(Community.objects.order_by("pk").values_list("pk", flat=True))
    User.objects.bulk_create(
        [User(email=f"d{i:05d}@bench.example", password="!") for i in range(members)], batch_size=2000
    )
    user_ids = list(User.objects.filter(email__endswith="@bench.example").order_by("pk").values_list("pk", flat=True))
    homes: dict[int, list[int]] = {}
    rows = []
    for uid in user_ids:
        homes[uid] = rng.sample(community_ids, rng.choice((1, 1, 2, 3)))
        rows += [Membership(community_id=c, user_id=uid, role="member") for c in homes[uid]]
    Membership.objects.bulk_create(rows, batch_size=5000)
    # Choices: most keep the defaults (community messages and phase changes daily, the rest at
    # once); some chose weekly, never, or a daily digest of everything.
    everything = ["action.assigned", "team.proposed", "discussion.mention", "help.answered"]
    prefs = []
    for uid in user_ids:
        roll = rng.random()
        if roll < 0.15:
            prefs += [
                Preference(user_id=uid, kind=k, delivery="weekly") for k in ("community.message", "response.phase")
            ]
        elif roll < 0.25:
            prefs.append(Preference(user_id=uid, kind="community.message", delivery="never"))
        elif roll < 0.45:
            prefs += [Preference(user_id=uid, kind=k, delivery="daily") for k in everything]
    Preference.objects.bulk_create(prefs, batch_size=5000)
    kinds = ["community.message", "response.phase", "discussion.reply", *everything]
    notes = []
    for uid in user_ids:
        for _ in range(per_member):
            notes.append(
                Notification(
                    recipient_id=uid,
                    kind=rng.choice(kinds),
                    community_id=rng.choice(homes[uid]),
                    text=f"Something happened in a thread you follow ({rng.randrange(10**6)})",
                    url=f"/c/bench-{rng.randrange(communities):02d}/",
                    mailed_at=None,
                )
            )
    Notification.objects.bulk_create(notes, batch_size=5000)
    Notification.objects.update(created_at=now - dt.timedelta(hours=3))
    return {
        "members": len(user_ids),
        "communities": len(community_ids),
        "memberships": len(rows),
        "preferences": len(prefs),
        "notifications": len(notes),
        "build_s": time.perf_counter() - t,
    }


def run_convene() -> dict:
    from convene.notifications.mail import digest_run

    run = digest_run("daily")
    return {"people": run.people, "notifications": run.notifications}


def run_naive() -> dict:
    """The first version one writes: a loop over members, each asking for their own rows."""
    from django.contrib.auth import get_user_model
    from django.core.mail import get_connection
    from django.utils import timezone

    from convene.notifications import mail
    from convene.notifications.kinds import KINDS
    from convene.notifications.models import Notification, Preference

    people = notifications = 0
    connection = get_connection()
    for user in get_user_model().objects.filter(is_active=True).order_by("pk"):
        chosen = dict(Preference.objects.filter(user=user).values_list("kind", "delivery"))
        wanted = [code for code in KINDS if mail.effective_delivery(code, chosen.get(code)) == "daily"]
        items = list(
            Notification.objects.filter(recipient=user, mailed_at__isnull=True, kind__in=wanted)
            .order_by("community_id", "created_at", "pk")
            .values(
                "pk",
                "recipient_id",
                "recipient__email",
                "kind",
                "text",
                "url",
                "created_at",
                "read_at",
                "community_id",
                "community__name",
            )
        )
        if not items:
            continue
        connection.send_messages([mail.digest_message("daily", user.pk, items)])
        Notification.objects.filter(pk__in=[i["pk"] for i in items]).update(mailed_at=timezone.now())
        people += 1
        notifications += len(items)
    return {"people": people, "notifications": notifications}


def child(args) -> None:
    _setup()
    import _count_mail
    import _timed_smtp
    from django.db import connection

    if args.child == "build":
        print("RESULT " + json.dumps(build(args.members, args.communities, args.per_member)))
        return
    from django.urls import reverse

    reverse("notifications:list")  # a running worker has its URLconf loaded already (both runs alike)
    queries, db_seconds = 0, 0.0

    def count(execute, sql, params, many, context):
        nonlocal queries, db_seconds
        queries += 1
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            db_seconds += time.perf_counter() - t

    t, c, w = time.perf_counter(), time.process_time(), _run_queue_wait()
    with connection.execute_wrapper(count):
        result = run_convene() if args.child == "convene" else run_naive()
    result |= {
        "seconds": time.perf_counter() - t,
        "cpu_seconds": time.process_time() - c,
        "cpu_wait_seconds": _run_queue_wait() - w,
        "db_seconds": db_seconds,
        "smtp_seconds": _timed_smtp.SECONDS,
        "smtp_connections": _timed_smtp.OPENED,
        "queries": queries,
        "mails": _count_mail.SENT,
        "mail_bytes": _count_mail.BYTES,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print("RESULT " + json.dumps(result))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + system) a running process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_with_sink(db_path: Path, role: str, args, tmp: Path) -> dict:
    """Run a digest child against a fresh SMTP sink process; add what the sink received."""
    if args.sink == "count":
        return run_child(db_path, role, args)
    port, stats = _free_port(), tmp / f"{role}-sink.json"
    sink = subprocess.Popen(
        [sys.executable, str(HERE / "_smtp_sink.py"), str(port), str(stats)], stdout=subprocess.PIPE, text=True
    )
    try:
        if sink.stdout.readline().strip() != "READY":
            raise SystemExit("the SMTP sink did not start")
        result = run_child(db_path, role, args, {"BENCH_SMTP_PORT": str(port)})
        sink_cpu = _cpu_of(sink.pid)
    finally:
        sink.send_signal(signal.SIGTERM)
        sink.wait(timeout=60)
    received = json.loads(stats.read_text())
    return result | {
        "mails": received["messages"],
        "mail_bytes": received["bytes"],
        "sink_connections": received["connections"],
        "sink_cpu_seconds": sink_cpu,
    }


def run_child(db_path: Path, role: str, args, extra_env: dict | None = None) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db_path}",
        "DJANGO_SETTINGS_MODULE": "convene.settings",
        **(extra_env or {}),
    }
    cmd = [
        sys.executable,
        __file__,
        f"--child={role}",
        f"--members={args.members}",
        f"--communities={args.communities}",
        f"--per-member={args.per_member}",
    ]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False, cwd=HERE)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise SystemExit(f"benchmark child {role} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--communities", type=int, default=50)
    parser.add_argument("--per-member", type=int, default=5)
    parser.add_argument("--child", choices=["build", "convene", "naive"], help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help="do not touch bench/RESULTS.md")
    parser.add_argument(
        "--sink", choices=["smtp", "count"], default="smtp", help="a real SMTP server process, or count in-process"
    )
    args = parser.parse_args()
    if args.quick:
        args.members = 1_000
    if args.child:
        child(args)
        return
    started = time.perf_counter()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base.sqlite3"
        built = run_child(base, "build", args)
        print("built", built)
        runs = {}
        for role in ("convene", "naive"):
            copy = Path(tmp) / f"{role}.sqlite3"
            shutil.copy(base, copy)
            runs[role] = run_with_sink(copy, role, args, Path(tmp))
            print(role, runs[role])
    ours, naive = runs["convene"], runs["naive"]
    assert (ours["people"], ours["notifications"], ours["mails"]) == (
        naive["people"],
        naive["notifications"],
        naive["mails"],
    ), (ours, naive)
    ok = ours["seconds"] < TARGET_S and ours["peak_mb"] < TARGET_MB
    load_after = os.getloadavg()
    cores = os.cpu_count() or 1
    sink = (
        "a real SMTP server (aiosmtpd) in a separate process that counts what it receives"
        if args.sink == "smtp"
        else "a counting backend that builds every MIME message in full but sends nothing"
    )

    def row(name: str, r: dict) -> str:
        return (
            f"| {name} | {r['seconds']:.1f} | {r['cpu_seconds']:.1f} | {r['cpu_wait_seconds']:.1f} | "
            f"{r['db_seconds']:.1f} | {r['smtp_seconds']:.1f} | {r.get('sink_connections', '-')} | {r['queries']:,} | "
            f"{r['mails']:,} | {r['notifications']:,} | {r['peak_mb']:.0f} |"
        )

    body = f"""`bench/digest.py`{" --quick" if args.quick else ""}{" --sink count" if args.sink == "count" else ""}: the daily digest (`convene digest --daily`) for
{built["members"]:,} members in {built["communities"]} communities ({built["memberships"]:,} memberships,
{built["preferences"]:,} stored mail preferences, {built["notifications"]:,} unmailed notifications), SQLite,
mail sent to {sink}. Each run is a fresh process on its own copy of the database.
Targets: under {TARGET_S} s (wall) and {TARGET_MB} MB.

Columns: wall time; CPU time of the digest process; time it was runnable but waiting for a CPU
(kernel run-queue delay: other processes' load, not the program); wall time inside database calls
and inside the SMTP conversation (both include any CPU wait that fell there); SMTP connections the
sink saw; queries; digests received by the sink; notifications; peak memory.

| | wall s | CPU s | CPU wait s | DB s | SMTP s | SMTP conns | queries | digests | notifications | peak MB |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
{row("Convene (`digest_run`: one streamed query, a connection per batch of people)", ours)}
{row("naive (queries per member, a connection per mail)", naive)}

Same digests from both: yes. Within the targets: **{"yes" if ok else "NO"}**. Speed-up {naive["seconds"] / max(ours["seconds"], 1e-9):.1f}x; build of the data {built["build_s"]:.0f} s (not counted).
SMTP sink CPU: Convene run {ours.get("sink_cpu_seconds", 0):.1f} s, naive run {naive.get("sink_cpu_seconds", 0):.1f} s.
Load average (1, 5, 15 min) on {cores} cores: before {load_before[0]:.2f} / {load_before[1]:.2f} / {load_before[2]:.2f}, after {load_after[0]:.2f} / {load_after[1]:.2f} / {load_after[2]:.2f}. _Total bench time {time.perf_counter() - started:.0f} s._
"""
    print(body)
    if not args.no_write:
        from _results import write_section

        write_section("digest-quick" if args.quick else "digest", body)
    if not ok:
        raise SystemExit("digest bench: over the target")


if __name__ == "__main__":
    main()
