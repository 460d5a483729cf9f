"""map_view's plot (bubbles, hulls, table) and its split lists, at 20 and at 2,000 participants (issue 18.8-9)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from convene.deliberation import selectors

from .crowd import AGREED, crowd

pytestmark = pytest.mark.django_db


def _texts(rows):
    return [r["text"] for r in rows]


def test_twenty_people_coincide_into_bubbles_with_group_hulls():
    c = crowd(20, noise=0.0)
    view = selectors.map_view(c.response)
    plot = view["plot"]
    bubbles = plot["bubbles"]
    # people who voted alike share a spot: one bubble with their number, not a stack of dots
    assert sum(b["count"] for b in bubbles) == 20
    assert len(bubbles) < 20 and max(b["count"] for b in bubbles) >= 5
    # every group has a hull labelled with the same size its card gives
    sizes = {g["label"]: g["size"] for g in view["groups"]}
    assert {h["group"]: h["size"] for h in plot["hulls"]} == sizes
    assert len(sizes) >= 2
    for b in bubbles:
        assert b["description"].startswith(f"Group {b['group']}: ") and b["description"].endswith("here")
        assert 0 < b["x"] < plot["width"] and 0 < b["y"] < plot["height"]
    for h in plot["hulls"]:
        assert h["d"].startswith("M") and 70 <= h["label_x"] <= plot["width"] - 70


def test_split_lists_only_real_differences_never_full_agreement():
    c = crowd(20, noise=0.0)
    view = selectors.map_view(c.response)
    split = _texts(view["divisive"])
    assert split and AGREED not in split
    assert "Patients should get a copy of their discharge letter." not in split  # every camp agrees too
    assert AGREED in _texts(view["common_ground"])
    for s in view["divisive"]:
        assert s["spread"] >= 20 and s["most"]["agree_pct"] - s["least"]["agree_pct"] == s["spread"]
    assert "20 percentage points" in view["split_rule"]
    communities = view["communities"]
    assert AGREED not in _texts(communities["divisive"])
    rows = {r["text"]: r for r in communities["rows"]}
    assert rows[AGREED]["spread"] == 0 and not rows[AGREED]["split"]
    for s in communities["divisive"]:
        assert rows[s["text"]]["spread"] >= 20


def test_anonymous_bubbles_never_count_fewer_than_five():
    c = crowd(20, anonymous=True, noise=0.3)
    view = selectors.map_view(c.response)
    bubbles = view["plot"]["bubbles"]
    assert any(b["count"] is None for b in bubbles), "with noise some spots hold one or two people"
    for b in bubbles:
        assert b["count"] is None or b["count"] >= 5
        if b["count"] is None:
            assert b["r"] == 3.0 and "number not shown" in b["description"]
        assert not any(name in b["description"] for name in c.community_names)
    # per group, the hidden bubbles together are 0 or at least 5 people (no subtraction gives one away)
    for h in view["plot"]["hulls"]:
        shown = sum(b["count"] or 0 for b in bubbles if b["group"] == h["group"])
        assert h["size"] - shown == 0 or h["size"] - shown >= 5
        assert h["size"] >= 5
    html = Client()
    html.force_login(c.viewer)
    page = html.get(f"/responses/{c.response.pk}/map/").content.decode()
    assert "not shown, to protect anonymity" in page
    assert not re.search(r"<td>[1-4]</td><td>-?\d", page)  # the bubble table's "people here" column


def test_two_thousand_people_stay_legible_and_small():
    c = crowd(2000, noise=0.15)
    view = selectors.map_view(c.response)
    plot = view["plot"]
    assert sum(b["count"] for b in plot["bubbles"]) == 2000
    assert len(plot["bubbles"]) <= 400  # bubbles, not 2,000 dots
    assert {h["group"]: h["size"] for h in plot["hulls"]} == {g["label"]: g["size"] for g in view["groups"]}
    assert AGREED not in _texts(view["divisive"]) and AGREED not in _texts(view["communities"]["divisive"])
    assert all(s["spread"] >= 20 for s in view["divisive"])
    client = Client()
    client.force_login(c.viewer)
    page = client.get(f"/responses/{c.response.pk}/map/")
    assert page.status_code == 200
    svg = re.search(r"<svg viewBox.*?</svg>", page.content.decode(), re.S).group(0)
    assert svg.count('class="bubble ') == len(plot["bubbles"])
    assert len(svg) < 150_000, len(svg)
    for h in plot["hulls"]:
        assert f"{h['group']} · {h['size']:,} people".replace(",", "") in svg.replace(",", "")
