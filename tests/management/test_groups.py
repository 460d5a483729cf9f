"""Tests for the `convene groups` management command (no database needed)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

PEOPLE = """id,community,discipline,seniority,years,facilitator
ana,psychiatry,medicine,senior,22,yes
ben,psychiatry,nursing,junior,2,no
cai,social work,law,mid,8,no
dee,social work,medicine,senior,15,yes
eli,ignite,nursing,junior,1,no
fay,ignite,law,mid,6,
gus,psychiatry,law,junior,3,no
hal,social work,nursing,mid,9,no
ida,ignite,medicine,senior,30,true
jon,psychiatry,medicine,mid,7,no
kim,social work,law,junior,,no
lee,ignite,nursing,senior,19,0
mo,psychiatry,law,mid,11,no
nia,social work,medicine,junior,4,no
"""


@pytest.fixture
def people_csv(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE)
    return path


def run(*args):
    out = StringIO()
    call_command("groups", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def test_groups_with_all_constraints(people_csv, tmp_path):
    out_json = tmp_path / "out.json"
    text = run(
        people_csv,
        "--groups",
        3,
        "--facilitator-column",
        "facilitator",
        "--separate",
        "ben:gus",
        "cai:hal",
        "--separate",
        "ana:dee",
        "--together",
        "eli:fay",
        "--seed",
        7,
        "--json",
        out_json,
    )
    data = json.loads(out_json.read_text())
    assert set(data) == {"groups", "objective", "seconds"}
    groups = data["groups"]
    ids = [line.split(",")[0] for line in PEOPLE.strip().splitlines()[1:]]
    assert set(groups) == set(ids)
    assert all(isinstance(g, int) and 0 <= g < 3 for g in groups.values())
    assert isinstance(data["objective"], float) and data["objective"] > 0
    assert isinstance(data["seconds"], float)
    sizes = [list(groups.values()).count(g) for g in range(3)]
    assert max(sizes) - min(sizes) <= 1
    assert groups["ben"] != groups["gus"] and groups["cai"] != groups["hal"]
    assert groups["ana"] != groups["dee"]
    assert groups["eli"] == groups["fay"]
    facilitators = ["ana", "dee", "ida"]
    assert sorted(groups[f] for f in facilitators) == [0, 1, 2]
    # the composition is printed; the facilitator column is not an attribute
    assert "Group 1:" in text and "community:" in text and "years: mean" in text
    assert "facilitator:" not in text
    # same seed, same result
    again = tmp_path / "again.json"
    run(people_csv, "--groups", 3, "--facilitator-column", "facilitator", "--separate",
        "ben:gus", "cai:hal", "--separate", "ana:dee", "--together", "eli:fay", "--seed", 7,
        "--json", again)  # fmt: skip
    assert json.loads(again.read_text())["groups"] == groups


def test_group_size_option(people_csv):
    text = run(people_csv, "--group-size", 5)
    assert "Group 3:" in text and "Group 4:" not in text


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("", ["--groups", "2"], "the CSV is empty"),
        ("id,a\n", ["--groups", "2"], "header but no people"),
        ("id,a\nx,1\nx,2\n", ["--groups", "2"], "id 'x' appears twice"),
        ("id,a\nx,1,3\ny,2\n", ["--groups", "2"], "row 2 has 3 cells"),
        ("id,a,a\nx,1,2\n", ["--groups", "1"], "repeats column"),
        (
            "id,a\nx,1\ny,2\n",
            ["--groups", "2", "--facilitator-column", "f"],
            "facilitator column 'f'",
        ),
        (
            "id,f\nx,maybe\ny,no\n",
            ["--groups", "2", "--facilitator-column", "f"],
            "'maybe' for 'x'",
        ),
        ("id,a\nx,1\ny,2\n", ["--groups", "2", "--separate", "x:zz"], "unknown id(s) 'zz'"),
        ("id,a\nx,1\ny,2\n", ["--groups", "2", "--separate", "x"], "expected two ids"),
        ("id,a\nx,1\ny,2\n", ["--groups", "3"], "number of groups must be between 1 and 2"),
        ("id,a\nx,1\ny,2\n", ["--groups", "0"], "number of groups must be between 1 and 2"),
        ("id,a\nx,1\ny,2\n", [], "give --groups K"),
        (
            "id,a\nx,1\ny,2\n",
            ["--groups", "2", "--separate", "x:y", "--together", "y:x"],
            "contradicts must-together",
        ),
        (
            "id,a,f\nx,1,yes\ny,2,yes\nz,3,yes\n",
            ["--groups", "2", "--facilitator-column", "f", "--strict-facilitators"],
            "3 facilitators for 2 groups",
        ),
        ("id,a\nx,1\ny,2\n", ["--groups", "1", "--weight", "b=2"], "--weight 'b=2'"),
    ],
)
def test_bad_input_is_a_command_error(tmp_path, content, args, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(CommandError) as info:
        run(path, *args)
    assert message in str(info.value)


def test_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        run(tmp_path / "nope.csv", "--groups", "2")


def test_io_helpers_pure():
    from convene.engines.grouping_io import parse_pairs, read_people_csv

    people = read_people_csv("id,n,c\na:1,1.5,x\nb,,y\nc,2,\n")
    assert people.ids == ["a:1", "b", "c"]
    assert people.kinds == {"n": "numeric", "c": "categorical"}
    assert people.attributes == {"n": [1.5, None, 2.0], "c": ["x", "y", None]}
    assert parse_pairs(["a:1:b", "b:c"], people.ids, "--separate") == [("a:1", "b"), ("b", "c")]
