"""Pol.is export folders: loading, round trip, and clear errors on bad files."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from convene.engines.opinion import analyze
from convene.engines.polis_io import PolisFormatError, read_polis, write_polis

DATA = Path(os.environ.get("CONVENE_POLIS_DATA", Path(__file__).resolve().parents[2].parent / "shared/data/polis"))


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)


COMMENTS = (
    "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
    "1,x,0,5,1,0,1,First\n"
    '2,x,1,5,0,1,-1,"Second, with comma"\n'
    "3,x,2,6,0,0,0,Third\n"
)


def test_votes_csv_and_comments(tmp_path):
    write(tmp_path, "comments.csv", COMMENTS)
    write(
        tmp_path,
        "votes.csv",
        "timestamp,datetime,comment-id,voter-id,vote\n10,a,0,1,1\n11,a,1,1,-1\n12,a,0,1,0\n13,a,2,2,1\n",
    )
    ex = read_polis(tmp_path)
    assert ex.source == "votes.csv"
    assert ex.statements.tolist() == [0, 1, 2]
    assert ex.moderated_out == (1,)
    assert ex.texts[1] == "Second, with comma"
    assert ex.votes.tolist() == [[1, 0, 1, 10], [1, 1, -1, 11], [1, 0, 0, 12], [2, 2, 1, 13]]
    m = analyze(**ex.analyze_kwargs())
    assert m.n_pass[0] == 1 and m.n_agree[0] == 0  # the re-vote replaced the agree


def test_participants_votes_only(tmp_path):
    write(tmp_path, "comments.csv", COMMENTS)
    write(
        tmp_path,
        "participants-votes.csv",
        "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1,2\n0,1,0,2,1,0,1,,0\n3,,0,1,0,1,,-1,\n",
    )
    ex = read_polis(tmp_path)
    assert ex.source == "participants-votes.csv"
    assert ex.group_ids == {0: 1, 3: None}
    assert sorted(map(tuple, ex.votes[:, :3].tolist())) == [(0, 0, 1), (0, 2, 0), (3, 1, -1)]


@pytest.mark.parametrize(
    "files, message",
    [
        ({"votes.csv": "comment-id,voter-id,vote\n0,1,1\n"}, "comments.csv is missing"),
        ({"comments.csv": COMMENTS}, "needs votes.csv or participants-votes.csv"),
        (
            {"comments.csv": COMMENTS, "votes.csv": "comment-id,vote\n0,1\n"},
            "missing column\\(s\\) voter-id",
        ),
        (
            {"comments.csv": COMMENTS, "votes.csv": "comment-id,voter-id,vote\n0,bob,1\n"},
            "line 2: voter-id must be an integer",
        ),
        (
            {"comments.csv": COMMENTS, "votes.csv": "comment-id,voter-id,vote\n0,1,2\n"},
            "unknown vote value",
        ),
        (
            {"comments.csv": COMMENTS, "votes.csv": "comment-id,voter-id,vote\n0,1,yes\n"},
            "vote must be an integer",
        ),
        ({"comments.csv": "", "votes.csv": "comment-id,voter-id,vote\n"}, "file is empty"),
        ({"comments.csv": "id,text\n1,a\n", "votes.csv": "x\n"}, "missing column"),
        (
            {"comments.csv": COMMENTS, "participants-votes.csv": "participant,xid,0\nbob,x1,1\n"},
            "line 2: participant must be an integer",
        ),
    ],
)
def test_bad_folders_raise_polis_format_error(tmp_path, files, message):
    for name, text in files.items():
        write(tmp_path, name, text)
    with pytest.raises(PolisFormatError, match=message):
        read_polis(tmp_path)
    assert issubclass(PolisFormatError, ValueError)


def test_not_a_directory(tmp_path):
    with pytest.raises(PolisFormatError, match="not a directory"):
        read_polis(tmp_path / "nope")


def test_round_trip(tmp_path):
    votes = [(1, 10, 1, 1000), (1, 11, -1, 1001), (2, 10, 0, 1002), (1, 10, -1, 1003)]
    statements = {10: "Ten", 11: 'Eleven, "quoted"', 12: "Nobody voted"}
    write_polis(tmp_path, votes=votes, statements=statements, moderated_out=[11], groups={1: 0, 2: None})
    ex = read_polis(tmp_path)
    assert ex.votes.tolist() == [list(v) for v in votes]  # re-votes kept in votes.csv
    assert ex.statements.tolist() == [10, 11, 12]
    assert ex.texts == statements and ex.moderated_out == (11,)
    assert ex.group_ids == {1: 0, 2: None}
    pv = (tmp_path / "participants-votes.csv").read_text().splitlines()
    assert pv[0] == "participant,group-id,n-comments,n-votes,n-agree,n-disagree,10,11,12"
    assert pv[1] == "1,0,0,2,0,2,-1,-1,"  # the latest vote stands
    a = analyze(votes, statements=list(statements), moderated_out=[11]).to_dict(full=True)
    b = analyze(**ex.analyze_kwargs()).to_dict(full=True)
    a.pop("seconds"), b.pop("seconds")
    assert a == b


@pytest.mark.skipif(not DATA.is_dir(), reason=f"Pol.is data not found at {DATA}")
def test_real_exports_load_and_agree_with_participants_votes():
    for folder in sorted(p for p in DATA.iterdir() if p.is_dir()):
        ex = read_polis(folder)
        assert len(ex.votes) > 0 and len(ex.texts) > 0
        assert set(np.unique(ex.votes[:, 2]).tolist()) <= {-1, 0, 1}
        if ex.source == "votes.csv" and (folder / "participants-votes.csv").exists():
            # the final vote per (participant, statement) matches participants-votes.csv
            from convene.engines.polis_io import read_participants_votes

            pv, _ = read_participants_votes(folder / "participants-votes.csv")
            last = {}
            for p, s, v, _t in ex.votes[np.argsort(ex.votes[:, 3], kind="stable")].tolist():
                last[(p, s)] = v
            pv_map = {(p, s): v for p, s, v, _t in pv.tolist()}
            agree = sum(last.get(k) == v for k, v in pv_map.items())
            assert agree >= 0.98 * len(pv_map), folder.name
