"""Pol.is interoperability services: a Pol.is export as a new joint response, Convene's own export
read back (by `convene analyze` and by the importer: the round trip), statements seeded from a CSV."""

from __future__ import annotations

import csv
import io
import os
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command

from convene.communities.models import AuditEntry
from convene.core.errors import Conflict, InvalidInput
from convene.deliberation import exports, opinion_map, services
from convene.deliberation.models import JointResponse, Participant, Phase, Statement, StatementState, Vote
from convene.engines.polis_io import read_polis, read_polis_files

from ..conftest import vote_pattern

DATA = Path(os.environ.get("CONVENE_POLIS_DATA", Path(__file__).resolve().parents[3].parent / "shared/data/polis"))
SEATTLE = DATA / "15-per-hour-seattle"


def _files(folder: Path) -> dict[str, bytes]:
    return {n: (folder / n).read_bytes() for n in ("comments.csv", "votes.csv", "participants-votes.csv")}


@pytest.mark.skipif(not SEATTLE.is_dir(), reason=f"Pol.is data not found at {SEATTLE}")
def test_a_real_export_becomes_an_anonymous_draft_response(boundary):
    b = boundary
    export = services.polis_export_read(files=_files(SEATTLE))
    response = services.response_import_polis(community=b.psy, creator=b.coordinator, title="Seattle", export=export)
    assert response.state == Phase.DRAFT and response.anonymous and response.community == b.psy
    statements = Statement.objects.filter(response=response)
    assert statements.count() == len(export.statements)
    out = {int(sid) for sid, m in export.moderation.items() if m == -1}
    assert statements.filter(state=StatementState.REJECTED).count() == len(out)
    latest = {}
    for p, s, v, t in export.votes.tolist():
        if (p, s) not in latest or t >= latest[(p, s)][1]:
            latest[(p, s)] = (v, t)
    assert Vote.objects.filter(response=response).count() == len(latest)
    assert not Participant.objects.filter(response=response, user__isnull=False).exists()
    agree = sum(1 for v, _ in latest.values() if v == 1)
    assert sum(statements.values_list("n_agree", flat=True)) == agree
    services.map_refresh(response=response)
    data = opinion_map.map_read(response)
    assert len(data["groups"]) >= 2 and len(data["participants"]) > 100
    entry = AuditEntry.objects.get(action="response_imported")
    assert entry.detail["votes"] == len(latest) and entry.actor == b.coordinator


def test_an_export_with_an_xid_column_is_imported(boundary):
    b = boundary
    files = {
        "comments.csv": b"timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
        b"1700000000000,x,0,1,1,0,1,Buses should run later\n1700000000001,x,1,2,0,1,0,\n",
        "participants-votes.csv": b"participant,xid,group-id,n-comments,n-votes,n-agree,n-disagree,0,1\n"
        b"1,ext-a,,1,2,1,1,1,-1\n2,ext-b,,1,1,0,0,0,\n",
    }
    export = services.polis_export_read(files=files)
    assert export.metadata_columns == ("xid",)
    response = services.response_import_polis(community=b.psy, creator=b.coordinator, title="Buses", export=export)
    texts = sorted(Statement.objects.filter(response=response).values_list("text", flat=True))
    assert texts == ["(Pol.is comment 1: its text is not in the export)", "Buses should run later"]
    assert Vote.objects.filter(response=response).count() == 3


@pytest.mark.parametrize(
    "source, message",
    [
        ({"archive": b"PK\x03\x04 broken"}, "not a readable zip"),
        ({"files": {"votes.csv": b"comment-id,voter-id,vote\n0,1,1\n"}}, "comments.csv is missing"),
        ({"files": {"comments.csv": b"comment-id\n0\n", "votes.csv": b"comment-id,voter-id,vote\n0,x,1\n"}}, "line 2"),
        ({"files": {"comments.csv": b"comment-id\n", "votes.csv": b"comment-id,voter-id,vote\n"}}, "no comments"),
    ],
)
def test_unreadable_exports_are_invalid_input(source, message):
    with pytest.raises(InvalidInput, match=message):
        services.polis_export_read(**source)


def test_limits_on_what_an_import_holds(settings):
    settings.CONVENE_POLIS_MAX_VOTES = 1
    files = {"comments.csv": b"comment-id\n0\n", "votes.csv": b"comment-id,voter-id,vote\n0,1,1\n0,2,1\n"}
    with pytest.raises(InvalidInput, match="at most 1 can be imported"):
        services.polis_export_read(files=files)
    settings.CONVENE_POLIS_UPLOAD_MAX_BYTES = 10
    with pytest.raises(InvalidInput, match="larger than"):
        services.polis_export_read(archive=b"x" * 11)


def _unzip(data: bytes, folder: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(folder)
    return folder


@pytest.mark.parametrize("anonymous", [False, True])
def test_round_trip_export_then_import(boundary, tmp_path, anonymous):
    """Convene's Pol.is export is read back by `convene analyze` and by the importer, unchanged."""
    b = boundary
    response = b.open_response(anonymous=anonymous)
    statements = [b.statement(response, f"Statement {i}") for i in range(6)]
    rejected = b.statement(response, "Off topic", by=b.members[0])
    services.statement_moderate(statement=rejected, actor=b.coordinator, decision="reject", reason="Off topic")
    vote_pattern(response, b, statements)
    services.map_refresh(response=response)
    archive = exports.polis_zip(response)
    folder = _unzip(archive, tmp_path / "export")

    out = io.StringIO()
    call_command("analyze", str(folder), stdout=out)  # once refused float timestamps
    assert "10 participants" in out.getvalue()
    export = read_polis(folder)
    assert set(export.moderation.values()) == {1}  # only accepted statements, marked accepted
    assert export.votes[:, 3].dtype.kind == "i"
    rows = list(csv.DictReader(io.StringIO((folder / "participants-votes.csv").read_text())))
    assert {r["group-id"] for r in rows} - {""}, "group-id is filled from the map"
    groups = Counter(r["group-id"] for r in rows)
    assert sorted(groups.values()) == [5, 5]  # the two communities vote apart: two groups of five

    imported = services.response_import_polis(
        community=b.sw, creator=b.coordinator, title="Again", export=services.polis_export_read(archive=archive)
    )

    def ballots(r: JointResponse) -> Counter:
        """Each participant's votes as (statement text, value) pairs: a multiset over participants."""
        by_participant: dict[int, list] = {}
        for pid, text, value in Vote.objects.filter(response=r).values_list(
            "participant_id", "statement__text", "value"
        ):
            by_participant.setdefault(pid, []).append((text, value))
        return Counter(tuple(sorted(v)) for v in by_participant.values())

    assert ballots(imported) == ballots(response)
    accepted = set(Statement.objects.filter(response=response, state="accepted").values_list("text", flat=True))
    assert set(Statement.objects.filter(response=imported).values_list("text", flat=True)) == accepted
    assert set(Statement.objects.filter(response=imported).values_list("state", flat=True)) == {"accepted"}
    services.map_refresh(response=imported)
    assert len(opinion_map.map_read(imported)["groups"]) == len(opinion_map.map_read(response)["groups"])
    # and a second export of the import reads back alike
    again = read_polis_files({n: d for n, d in _files(_unzip(exports.polis_zip(imported), tmp_path / "b")).items()})
    assert sorted(again.votes[:, 2].tolist()) == sorted(export.votes[:, 2].tolist())


def test_seed_statements_from_a_csv(boundary):
    b = boundary
    response = b.open_response()
    b.statement(response, "Already here")
    data = b'statement\nFirst seeded\nalready here\n\n"Second seeded, with a comma"\n'
    added = services.statements_seed(response=response, actor=b.coordinator, data=data)
    assert [s.text for s in added] == ["First seeded", "Second seeded, with a comma"]
    assert {s.state for s in added} == {StatementState.ACCEPTED} and all(s.author_id is None for s in added)
    with pytest.raises(Conflict, match="already in the conversation"):
        services.statements_seed(response=response, actor=b.coordinator, data=b"First seeded\n")
    long = ("Fine\n" + "x" * 281 + "\n").encode()
    with pytest.raises(InvalidInput, match="line\\(s\\) 2 "):
        services.statements_seed(response=response, actor=b.coordinator, data=long)
    assert not Statement.objects.filter(response=response, text="Fine").exists()  # all or nothing
    with pytest.raises(InvalidInput, match="no statements"):
        services.statements_seed(response=response, actor=b.coordinator, data=b"statement\n\n")
    with pytest.raises(InvalidInput, match="not UTF-8"):
        services.statements_seed(response=response, actor=b.coordinator, data=b"\xff\xfe\xfa")
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    with pytest.raises(Conflict, match="seed statements only while"):
        services.statements_seed(response=response, actor=b.coordinator, data=b"Late\n")
