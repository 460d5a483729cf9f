"""Benchmark: cast a vote and get the next statement through the web layer; recompute the map.

A conversation of 2,000 participants x 300 statements (about 60 votes each) in a temporary
SQLite database. Measures the htmx vote request (POST -> next statement card) with Django's
test Client, and the full opinion-map recompute (DB read + engine + cache write).

    .venv/bin/python bench/deliberation_vote.py [--participants 2000] [--statements 300] [--votes 200]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--statements", type=int, default=300)
    parser.add_argument("--per-participant", type=int, default=60)
    parser.add_argument("--votes", type=int, default=200, help="timed vote requests")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="convene-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convene.settings")
    os.environ.setdefault("CONVENE_VAR_DIR", tmp)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)

    import numpy as np
    from django.test import Client
    from django.utils import timezone

    from convene.accounts.models import User
    from convene.communities.models import Community, Membership
    from convene.deliberation import opinion_map
    from convene.deliberation.models import JointResponse, Participant, Phase, Statement, Vote

    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    a = Community.objects.create(name="Psychiatry", slug="psy", domain="x")
    b = Community.objects.create(name="Social work", slug="sw", domain="x")
    users = User.objects.bulk_create(
        [User(email=f"p{i}@bench.example", password="!") for i in range(args.participants)], batch_size=1000
    )
    users = list(User.objects.order_by("id"))
    Membership.objects.bulk_create(
        [Membership(community=a if i % 2 == 0 else b, user=u, role="member") for i, u in enumerate(users)],
        batch_size=1000,
    )
    response = JointResponse.objects.create(
        community=a, title="Bench", state=Phase.GATHERING, gathering_ends=timezone.now() + timezone.timedelta(days=3)
    )
    response.communities.add(a, b)
    Statement.objects.bulk_create(
        [Statement(response=response, text=f"Statement {j}", state="accepted") for j in range(args.statements)]
    )
    sids = list(Statement.objects.filter(response=response).values_list("id", flat=True))
    Participant.objects.bulk_create(
        [
            Participant(response=response, user_key=response.user_key(u.pk), user=u, community=a if i % 2 == 0 else b)
            for i, u in enumerate(users)
        ],
        batch_size=1000,
    )
    parts = list(Participant.objects.filter(response=response).order_by("id").values_list("id", flat=True))
    opinion = rng.normal(size=(2, args.statements))
    rows = []
    counts = np.zeros((len(sids), 3), dtype=int)
    for i, pid in enumerate(parts[1:]):  # participant 0 is the timed voter: starts with no votes
        side = i % 2
        for j in rng.choice(len(sids), size=args.per_participant, replace=False):
            p = 1 / (1 + np.exp(-2 * opinion[side, j]))
            v = int(rng.choice([1, -1, 0], p=[p * 0.85, (1 - p) * 0.85, 0.15]))
            rows.append(Vote(response=response, participant_id=pid, statement_id=sids[j], value=v))
            counts[j, {1: 0, -1: 1, 0: 2}[v]] += 1
    Vote.objects.bulk_create(rows, batch_size=5000)
    stmts = list(Statement.objects.filter(response=response).order_by("id"))
    for s, (na, nd, npass) in zip(stmts, counts, strict=True):
        s.n_agree, s.n_disagree, s.n_pass = int(na), int(nd), int(npass)
    Statement.objects.bulk_update(stmts, ["n_agree", "n_disagree", "n_pass"], batch_size=500)
    JointResponse.objects.filter(pk=response.pk).update(revision=len(rows))
    build = time.perf_counter() - t0

    # map recompute (also stores extremities used by the vote path's priority)
    recompute = []
    for _ in range(3):
        started = time.perf_counter()
        data = opinion_map.map_recompute(response)
        recompute.append(time.perf_counter() - started)
    groups = len(data.get("groups", []))

    client = Client()
    client.force_login(users[0])
    url = f"/responses/{response.pk}/vote/"
    page = client.get(url)
    assert page.status_code == 200
    times = []
    for _ in range(args.votes):
        found = re.search(rb'name="statement" value="(\d+)"', page.content)
        if found is None:
            break
        sid = int(found.group(1))
        started = time.perf_counter()
        page = client.post(url, {"statement": sid, "value": str(int(rng.choice([1, -1, 0])))}, HTTP_HX_REQUEST="true")
        times.append(time.perf_counter() - started)
        assert page.status_code == 200 and b"Vote recorded." in page.content, page.content[:300]
    median = statistics.median(times) * 1000
    p95 = sorted(times)[int(len(times) * 0.95) - 1] * 1000
    best_recompute = min(recompute)
    engine = data.get("seconds", 0.0)
    body = (
        f"{args.participants} participants x {args.statements} statements, {len(rows):,} votes "
        f"(SQLite, temp file; setup {build:.1f} s).\n\n"
        "| measure | result | target |\n|---|---|---|\n"
        f"| vote + next statement, htmx POST through Django (median of {len(times)}) | {median:.1f} ms "
        f"(p95 {p95:.1f} ms) | < 50 ms |\n"
        f"| map recompute: DB read + engine + cache write (best of 3; all: "
        f"{', '.join(f'{t:.2f}' for t in recompute)} s) | {best_recompute:.2f} s (engine alone {engine:.2f} s), {groups} groups | < 1 s |\n"
    )
    print(body)
    sys.path.insert(0, str(HERE))
    from _results import write_section

    write_section("deliberation-vote", body)


if __name__ == "__main__":
    main()
