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

Both send through a counting mail backend that still builds every MIME message (the rendering and
encoding are measured; the network is not). Both must send the same mails. Targets: under 60 s and
under 500 MB for the Convene run. Writes its section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
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

    settings.EMAIL_BACKEND = "_count_mail.EmailBackend"


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
    from django.db import connection

    if args.child == "build":
        print("RESULT " + json.dumps(build(args.members, args.communities, args.per_member)))
        return
    from django.urls import reverse

    reverse("notifications:list")  # a running worker has its URLconf loaded already (both runs alike)
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    t, c = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(count):
        result = run_convene() if args.child == "convene" else run_naive()
    result |= {
        "seconds": time.perf_counter() - t,
        "cpu_seconds": time.process_time() - c,
        "queries": queries,
        "mails": _count_mail.SENT,
        "mail_bytes": _count_mail.BYTES,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print("RESULT " + json.dumps(result))


def run_child(db_path: Path, role: str, args) -> dict:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db_path}", "DJANGO_SETTINGS_MODULE": "convene.settings"}
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
    args = parser.parse_args()
    if args.quick:
        args.members = 1_000
    if args.child:
        child(args)
        return
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base.sqlite3"
        built = run_child(base, "build", args)
        print("built", built)
        runs = {}
        for role in ("convene", "naive"):
            copy = Path(tmp) / f"{role}.sqlite3"
            shutil.copy(base, copy)
            runs[role] = run_child(copy, role, args)
            print(role, runs[role])
    ours, naive = runs["convene"], runs["naive"]
    assert (ours["people"], ours["notifications"], ours["mails"]) == (
        naive["people"],
        naive["notifications"],
        naive["mails"],
    ), (ours, naive)
    ok = ours["seconds"] < TARGET_S and ours["peak_mb"] < TARGET_MB
    body = f"""`bench/digest.py`{" --quick" if args.quick else ""}: the daily digest (`convene digest --daily`) for
{built["members"]:,} members in {built["communities"]} communities ({built["memberships"]:,} memberships,
{built["preferences"]:,} stored mail preferences, {built["notifications"]:,} unmailed notifications), SQLite,
mail built in full (MIME, both parts) by a counting backend instead of an SMTP server. Each run is a fresh
process on its own copy of the database. Targets: under {TARGET_S} s and {TARGET_MB} MB.

| | seconds | CPU s | queries | digests sent | notifications | peak memory (MB) |
|---|---:|---:|---:|---:|---:|---:|
| Convene (`digest_run`: one streamed query) | {ours["seconds"]:.1f} | {ours["cpu_seconds"]:.1f} | {ours["queries"]:,} | {ours["mails"]:,} | {ours["notifications"]:,} | {ours["peak_mb"]:.0f} |
| naive (queries per member) | {naive["seconds"]:.1f} | {naive["cpu_seconds"]:.1f} | {naive["queries"]:,} | {naive["mails"]:,} | {naive["notifications"]:,} | {naive["peak_mb"]:.0f} |

Same digests from both: yes. Within the targets: **{"yes" if ok else "NO"}**. Speed-up {naive["seconds"] / max(ours["seconds"], 1e-9):.1f}x; build of the data {built["build_s"]:.0f} s (not counted).
Load average before the run: {load_before:.2f} (a shared machine). _Total bench time {time.perf_counter() - started:.0f} s._
"""
    print(body)
    if not args.no_write:
        from _results import write_section

        write_section("digest-quick" if args.quick else "digest", body)
    if not ok:
        raise SystemExit("digest bench: over the target")


if __name__ == "__main__":
    main()
