"""Attacks on the exports of an anonymous joint response (Pol.is zip, delivered documents).

An insider who knows in which order colleagues first voted (they saw them vote, or know who
joined late), or when one of them voted, must not be able to find that person's row.
"""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.test import Client

from ..worlds import anonymous_response, vote_pattern
from .attacks import assert_no_better_than_guessing

DAY_MS = 86_400_000


def _polis(world, viewer) -> dict[str, list[dict]]:
    client = Client()
    client.force_login(viewer)
    answer = client.get(f"/responses/{world.response.pk}/polis.zip")
    assert answer.status_code == 200
    with zipfile.ZipFile(io.BytesIO(answer.content)) as files:
        return {n: list(csv.DictReader(io.StringIO(files.read(n).decode()))) for n in files.namelist()}


@pytest.mark.django_db
def test_polis_numbering_does_not_follow_the_order_of_first_votes():
    """Attack: participant k of the export is the k-th person to vote; read their votes."""
    w = anonymous_response()
    files = _polis(w, w.member)
    exported = {(int(r["voter-id"]), int(r["comment-id"])): int(r["vote"]) for r in files["votes.csv"]}
    guesses, truths = [], []
    for k, user in enumerate(w.order, start=1):
        for s in w.statements if user != w.coordinator else ():
            guesses.append(exported.get((k, s.pk)))
            truths.append(w.votes[(user.pk, s.pk)])
    assert_no_better_than_guessing(guesses, truths)


@pytest.mark.django_db
def test_polis_votes_are_not_listed_in_the_order_they_were_cast():
    """Attack: without numbers, the row order of votes.csv still follows the order of voting."""
    w = anonymous_response()
    rows = _polis(w, w.member)["votes.csv"]
    first_seen = []
    for r in rows:
        if r["voter-id"] not in first_seen:
            first_seen.append(r["voter-id"])
    by_voter = {}
    for r in rows:
        by_voter.setdefault(r["voter-id"], {})[int(r["comment-id"])] = int(r["vote"])
    guesses, truths = [], []
    for k, user in enumerate(w.order[1:]):
        for s in w.statements:
            guesses.append(by_voter[first_seen[k]].get(s.pk))
            truths.append(w.votes[(user.pk, s.pk)])
    assert_no_better_than_guessing(guesses, truths)


@pytest.mark.django_db
def test_polis_timestamps_are_no_finer_than_the_day():
    w = anonymous_response()
    files = _polis(w, w.member)
    stamps = [int(float(r["timestamp"])) for r in files["votes.csv"] + files["comments.csv"] if r["timestamp"]]
    assert stamps and all(t % DAY_MS == 0 for t in stamps)
    assert all(r["datetime"].endswith("00:00:00 UTC " + r["datetime"][-4:]) for r in files["votes.csv"])


@pytest.mark.django_db
def test_polis_export_has_no_rejected_statement_and_map_points_are_not_numbered_alike():
    w = anonymous_response()
    files = _polis(w, w.member)
    assert all(int(r["comment-id"]) != w.rejected.pk for r in files["comments.csv"])
    assert all(int(r["comment-id"]) != w.rejected.pk for r in files["votes.csv"])


@pytest.mark.django_db
def test_non_anonymous_export_keeps_full_detail(boundary):
    from convene.deliberation import services

    b = boundary
    response = b.open_response()
    statements = [b.statement(response, f"S {i}", by=b.members[i]) for i in range(2)]
    for s in statements:
        services.statement_moderate(statement=s, actor=b.coordinator, decision="accept")
    vote_pattern(response, b, statements)
    client = Client()
    client.force_login(b.members[0])
    with zipfile.ZipFile(io.BytesIO(client.get(f"/responses/{response.pk}/polis.zip").content)) as files:
        votes = list(csv.DictReader(io.StringIO(files.read("votes.csv").decode())))
    assert any(int(float(r["timestamp"])) % DAY_MS for r in votes)
