"""The insights API: same numbers as the pages, suppressed cells, 400 on bad dates."""

from __future__ import annotations

import pytest

from convene.engines import equity
from tests.conftest import ApiClient

B = "/insights/communities/equity"


@pytest.fixture
def coord(eq):
    return ApiClient(eq.coordinator)


def test_representation_for_members(eq):
    body = ApiClient(eq.people[4]).get(f"{B}/representation").json()
    assert body["members"] == {"count": 13, "suppressed": False, "display": "13"}
    disc = {b["key"]: b for b in body["breakdowns"]}["discipline"]
    assert disc["blau"] == pytest.approx(equity.blau([7, 4, 1]))
    assert {"label": "Not stated", "people": {"count": None, "suppressed": True, "display": "< 5"}, "share": None} in (
        disc["cells"]
    )
    gender = {b["key"]: b for b in body["breakdowns"]}["diversity:gender"]
    assert gender["hidden"] and gender["cells"] == [] and gender["blau"] is None


def test_voice(coord):
    body = coord.get(f"{B}/voice").json()
    assert body["gini"] == pytest.approx(equity.gini([6, 3, 3, 1, 1] + [0] * 8))
    # head counts are perturbed and rounded to 5 (true: 5 heard, 8 not yet heard); the share from the same figures
    assert body["heard"]["count"] in (None, 5) and body["not_yet_heard"]["count"] in (5, 10)
    assert body["share_heard"] is None or body["heard"]["count"] is not None
    empty = coord.get(f"{B}/voice?from=2001-01-01&to=2001-01-02").json()
    assert empty["gini"] == 0 and empty["share_heard"] is None  # nobody heard: hidden, never an exact 0 %
    assert empty["contributions"] == {"count": None, "suppressed": True, "display": "< 5"}  # nobody contributed
    assert body["contributions"] == {"count": 14, "suppressed": False, "display": "14"}
    kinds = {k["kind"]: k for k in body["by_kind"]}
    assert kinds["turn"]["people"]["count"] == 5 and kinds["turn"]["entries"]["count"] == 14
    assert kinds["note"]["people"]["suppressed"] and kinds["note"]["entries"]["suppressed"]


@pytest.mark.parametrize("query", ["from=tomorrow", "to=2026-02-30", "from=2026-05-01&to=2026-04-01"])
def test_bad_dates_are_400(coord, query):
    for path in ("voice", "opportunities", "opportunities/ledger", "not-yet-heard"):
        response = coord.get(f"{B}/{path}?{query}")
        assert response.status_code == 400, path
        assert response.json()["code"] == "invalid"


def test_not_yet_heard_is_paginated(coord):
    body = coord.get(f"{B}/not-yet-heard?limit=3&offset=0").json()
    assert body["count"] == 8 and [p["name"] for p in body["items"]] == ["Cora Coordinator", "Di", "Ed"]


def test_opportunities_and_ledger(coord):
    body = coord.get(f"{B}/opportunities").json()
    assert body["opportunities"]["suppressed"] and body["with_one"]["suppressed"]  # 3 from 2 people
    assert body["gini"] == pytest.approx(equity.gini([2, 1] + [0] * 11))
    ledger = coord.get(f"{B}/opportunities/ledger?order=most&limit=2").json()
    assert ledger["count"] == 13
    assert ledger["items"][0]["name"] == "Ada" and ledger["items"][0]["by_kind"]["speaker"] == 1


def test_rotation(coord):
    body = coord.get(f"{B}/rotation?kind=facilitator&limit=2").json()
    assert [s["name"] for s in body] == ["Cora Coordinator", "Cy"]
    assert coord.get(f"{B}/rotation?kind=emperor").status_code == 422
    assert coord.get(f"{B}/rotation?limit=0").status_code == 422


def test_trend(coord):
    body = coord.get(f"{B}/trend").json()
    assert len(body["points"]) == 12 and "discipline" in body["dimensions"]
    shown = [p for p in body["points"] if not p["contributions"]["suppressed"]]
    assert sum(p["contributions"]["count"] for p in shown) == 14  # one month, five contributors
    assert all(p["contributors"]["suppressed"] for p in body["points"] if p not in shown)


def test_contexts(coord, eq, fake_contexts):
    fake_contexts["response:5"] = {
        "title": "Anonymous answer",
        "kind": "response",
        "community_ids": [eq.community.pk],
        "invited_user_ids": [u.pk for u in eq.people],
        "anonymous": True,
    }
    listing = coord.get(f"{B}/contexts").json()
    assert listing["count"] == 3 and listing["items"][0]["context"] == "response:5"
    assert listing["items"][0]["gini"] is None
    detail = coord.get(f"{B}/contexts/response:5").json()
    assert detail["not_yet_heard"] is None and detail["voice"] is None
    detail = coord.get(f"{B}/contexts/session:900").json()
    assert detail["voice"]["gini"] == pytest.approx(equity.gini([6, 3, 3, 1, 1, 1]))
    assert detail["not_yet_heard"] == []
    assert coord.get(f"{B}/contexts/session:31337").status_code == 404


def test_member_cannot_read_voice(eq):
    response = ApiClient(eq.people[0]).get(f"{B}/voice")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
