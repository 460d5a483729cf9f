"""`convene analyze DIR`: readable summary, JSON in the issue's shape, clear errors."""

from __future__ import annotations

import json
import math
import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

DATA = Path(os.environ.get("CONVENE_POLIS_DATA", Path(__file__).resolve().parents[2].parent / "shared/data/polis"))
BREXIT = DATA / "brexit-consensus"


@pytest.mark.skipif(not BREXIT.is_dir(), reason=f"Pol.is data not found at {DATA}")
def test_summary_and_json(tmp_path):
    out = StringIO()
    target = tmp_path / "map.json"
    call_command("analyze", str(BREXIT), "--seed", "1", "--json", str(target), stdout=out)
    text = out.getvalue()
    assert "opinion groups" in text and "Group 0:" in text and "Consensus" in text
    data = json.loads(target.read_text())
    assert set(data) == {
        "participants",
        "groups",
        "consensus",
        "group_informed_consensus",
        "statements",
        "seconds",
    }
    p = data["participants"][0]
    assert set(p) == {"id", "x", "y", "group"} and isinstance(p["id"], str)
    assert any(q["group"] is None for q in data["participants"])
    for g in data["groups"]:
        assert isinstance(g["id"], int) and g["size"] > 0
        for r in g["representative"]:
            assert set(r) == {"statement", "direction", "p", "p_test", "repness", "repness_test"}
            assert r["direction"] in ("agree", "disagree") and isinstance(r["statement"], str)
    assert set(data["consensus"]) == {"agree", "disagree"}
    assert all(isinstance(v, float) for v in data["group_informed_consensus"].values())
    assert all(set(s) == {"id", "x", "y", "extremity"} for s in data["statements"])
    assert all(math.isfinite(s["x"]) for s in data["statements"])


@pytest.mark.skipif(not BREXIT.is_dir(), reason=f"Pol.is data not found at {DATA}")
def test_fixed_k():
    out = StringIO()
    call_command("analyze", str(BREXIT), "--k", "3", stdout=out)
    assert "3 opinion groups" in out.getvalue()


def test_missing_folder_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="not a directory"):
        call_command("analyze", str(tmp_path / "nope"))


def test_bad_csv_is_a_command_error(tmp_path):
    (tmp_path / "comments.csv").write_text("comment-id,comment-body\n1,hi\n")
    (tmp_path / "votes.csv").write_text("comment-id,voter-id,vote\n1,2,7\n")
    with pytest.raises(CommandError, match="unknown vote value"):
        call_command("analyze", str(tmp_path))


def test_bad_k(tmp_path):
    with pytest.raises(CommandError, match="--k"):
        call_command("analyze", str(tmp_path), "--k", "0")
