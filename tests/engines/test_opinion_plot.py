"""The opinion map's plot engine (bubbles, hulls) and the split rule, without Django (issue 18, points 8-9)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from convene.engines.disclosure import merge_small_groups
from convene.engines.opinion import analyze
from convene.engines.opinion_plot import convex_hull, plot_layout, separate_labels
from convene.engines.opinion_stats import splits
from convene.engines.polis_io import read_polis

DATA = Path(os.environ.get("CONVENE_POLIS_DATA", Path(__file__).resolve().parents[2].parent / "shared/data/polis"))


def _inside(hull, point, tol=0.2) -> bool:
    """Point in (or on) a convex polygon given counter-clockwise in y-up terms (canvas: clockwise)."""
    if len(hull) < 3:
        return True
    signs = []
    for (ax, ay), (bx, by) in zip(hull, hull[1:] + hull[:1], strict=True):
        cross = (bx - ax) * (point[1] - ay) - (by - ay) * (point[0] - ax)
        length = np.hypot(bx - ax, by - ay) or 1.0
        signs.append(cross / length)
    return all(s >= -tol for s in signs) or all(s <= tol for s in signs)


# ---------------------------------------------------------------------------- convex hull


def test_convex_hull_square_with_inner_and_collinear_points():
    pts = [(0, 0), (2, 0), (2, 2), (0, 2), (1, 1), (1, 0), (0, 1)]
    hull = convex_hull(pts)
    assert sorted(hull) == [(0.0, 0.0), (0.0, 2.0), (2.0, 0.0), (2.0, 2.0)]


def test_convex_hull_degenerate():
    assert convex_hull([(1, 1), (1, 1)]) == [(1.0, 1.0)]
    assert convex_hull([(0, 0), (1, 1), (2, 2)]) == [(0.0, 0.0), (2.0, 2.0)]
    assert convex_hull([]) == []


# ---------------------------------------------------------------------------- bubbles


def test_coincident_points_become_one_bubble_with_their_count():
    x = [0.0] * 6 + [1.0] * 2 + [1.0]
    y = [0.0] * 6 + [1.0] * 2 + [1.0]
    groups = ["A"] * 6 + ["B"] * 2 + [None]
    layout = plot_layout(x, y, groups)
    by = {(b.group, b.count) for b in layout.bubbles}
    assert by == {("A", 6), ("B", 2), (None, 1)}
    assert layout.largest == 6
    radii = {b.count: b.r for b in layout.bubbles}
    assert radii[6] == 13.0 and radii[1] == 3.0 and 3.0 < radii[2] < 13.0
    # area grows with people: r^2 - r_min^2 proportional to count - 1
    assert (radii[2] ** 2 - 9) / (169 - 9) == pytest.approx(1 / 5, abs=0.02)
    # bubbles of different groups at the same spot stay apart; "no group" has no hull
    assert [h.group for h in layout.hulls] == ["A", "B"]
    assert {h.group: h.size for h in layout.hulls} == {"A": 6, "B": 2}


def test_uniform_scale_keeps_the_aspect_and_the_canvas():
    layout = plot_layout([-1.0, 1.0, 0.0], [0.0, 0.0, 0.1], ["A", "A", "A"], width=400, height=300, margin=20)
    xs = sorted(b.x for b in layout.bubbles)
    assert xs[0] == 20.0 and xs[-1] == 380.0
    ys = sorted(b.y for b in layout.bubbles)
    # one unit is 180 canvas units both ways: the 0.1 rise is 18 units, not stretched to the full height
    assert ys[-1] - ys[0] == pytest.approx(18.0, abs=0.2)
    for b in layout.bubbles:
        assert 0 <= b.x <= 400 and 0 <= b.y <= 300


def test_single_spot_lands_in_the_middle():
    layout = plot_layout([0.3, 0.3], [0.2, 0.2], ["A", "A"])
    (b,) = layout.bubbles
    assert (b.x, b.y, b.count) == (200.0, 150.0, 2)
    (h,) = layout.hulls
    assert h.points == ((200.0, 150.0),)


def test_conceal_hides_counts_and_sizes():
    x = [0.0] * 7 + [5.0] * 2 + [10.0] * 6
    groups = ["A"] * 15
    seen = []

    def conceal(sizes):
        seen.append(dict(sizes))
        return merge_small_groups(sizes).merged

    layout = plot_layout(x, [0.0] * 15, groups, conceal=conceal)
    counts = sorted((b.count is None, b.count or 0) for b in layout.bubbles)
    # 2 is under 5, and the complementary rule hides the next-smallest (6) too, or 15 - 7 - 6 gives it back
    assert counts == [(False, 7), (True, 0), (True, 0)]
    assert all(b.r == 3.0 for b in layout.bubbles if b.count is None)
    assert sorted(seen[0].values()) == [2, 6, 7]
    assert layout.hulls[0].size == 15


def test_bad_input():
    with pytest.raises(ValueError):
        plot_layout([0.0], [0.0, 1.0], ["A"])
    with pytest.raises(ValueError):
        plot_layout([float("nan")], [0.0], ["A"])
    with pytest.raises(ValueError):
        plot_layout([0.0], [0.0], ["A"], width=10, margin=10)
    assert plot_layout([], [], []).bubbles == ()


def test_deterministic_and_order_free_in_counts():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=200), rng.normal(size=200)
    g = ["A" if v > 0 else "B" for v in x]
    a = plot_layout(x, y, g)
    assert a == plot_layout(x, y, g)
    perm = rng.permutation(200)
    b = plot_layout(x[perm], y[perm], [g[i] for i in perm])
    assert sorted((bb.group, bb.count) for bb in a.bubbles) == sorted((bb.group, bb.count) for bb in b.bubbles)


# ---------------------------------------------------------------------------- splits


def test_full_agreement_everywhere_never_splits_whatever_the_sizes():
    # the old measure (smoothed pa) gave 12/13 - 4/5 = 0.12 here and listed it as divisive
    spread, split = splits([[11], [3]], [[11], [3]], min_votes=1)
    assert spread[0] == 0.0 and not split[0]
    spread, split = splits([[40], [6]], [[40], [6]])
    assert spread[0] == 0.0 and not split[0]


def test_split_needs_a_gap_a_count_and_significance():
    # 90 % vs 10 % of 10 votes each: a split
    spread, split = splits([[9], [1]], [[10], [10]])
    assert spread[0] == pytest.approx(0.8) and split[0]
    # the same shares from 4 votes in one group: that group is not counted, nothing to compare
    spread, split = splits([[9], [0]], [[10], [4]])
    assert spread[0] == 0.0 and not split[0]
    # a gap under 20 points is never a split, however many votes
    spread, split = splits([[550], [450]], [[1000], [1000]])
    assert spread[0] == pytest.approx(0.1) and not split[0]
    # 3 of 5 vs 2 of 5: 20 points but well within chance
    spread, split = splits([[3], [2]], [[5], [5]])
    assert spread[0] == pytest.approx(0.2) and not split[0]
    # three groups: the widest pair decides
    spread, split = splits([[5, 0], [10, 0], [0, 0]], [[10, 0], [10, 0], [10, 0]])
    assert spread.tolist() == [1.0, 0.0] and split.tolist() == [True, False]
    with pytest.raises(ValueError):
        splits([[1, 2]], [[1]])


def test_engine_divisive_lists_only_real_splits():
    rows, t = [], 0
    for p in range(40):
        camp = p < 20
        for s in range(6):
            t += 1
            rows.append((p, s, 1 if (s < 3) == camp else -1, t))
        t += 1
        rows.append((p, 6, 1, t))  # everybody agrees: common ground, never divisive
    for p in range(0, 40, 4):  # s7: a tenth agree, alike in both camps
        t += 1
        rows.append((p, 7, 1 if p % 8 == 0 else 0, t))
    m = analyze(rows, statements=range(8), k=2)
    assert 6 not in m.opinion.divisive and 7 not in m.opinion.divisive
    assert set(m.opinion.divisive) == set(range(6))
    assert m.opinion.spread[6] == 0.0
    assert 6 in m.opinion.common_ground


# ---------------------------------------------------------------------------- real Pol.is data, ~2,000 people


@pytest.mark.skipif(not (DATA / "american-assembly.bowling-green").is_dir(), reason="Pol.is data not found")
def test_bowling_green_2000_participants_reads_as_bubbles_and_hulls():
    export = read_polis(DATA / "american-assembly.bowling-green")
    m = analyze(**export.analyze_kwargs())
    n = len(m.participants)
    assert n > 1900
    letters = {int(g): chr(ord("A") + i) for i, g in enumerate(gr.id for gr in m.groups)}
    groups = [letters.get(int(g)) for g in m.group]
    layout = plot_layout(m.x, m.y, groups)
    # everyone is in exactly one bubble, and far fewer bubbles than people are drawn
    assert sum(b.count for b in layout.bubbles) == n
    assert len(layout.bubbles) < n / 3
    # each group's hull holds all of its members' bubbles, and is labelled with its size
    sizes = {letters[int(gr.id)]: gr.size for gr in m.groups}
    assert {h.group: h.size for h in layout.hulls} == sizes
    for h in layout.hulls:
        for b in layout.bubbles:
            if b.group == h.group:
                assert _inside(list(h.points), (b.x, b.y), tol=1.0)
    # splits on real data: every listed statement has a real gap, none is agreed alike
    for sid in m.opinion.divisive:
        j = int(np.searchsorted(m.statements, sid))
        assert m.opinion.spread[j] >= 0.2
    spread, split = splits(m.opinion.stats.n_agree, m.opinion.stats.n_votes)
    assert np.all(spread[split] >= 0.2)


def test_labels_that_would_overlap_are_moved_apart():
    labels = [(100.0, 20.0, 120.0), (150.0, 22.0, 120.0), (320.0, 20.0, 60.0), (150.0, 280.0, 100.0)]
    placed = separate_labels(labels, height=300)
    assert placed[0] == (100.0, 20.0)
    assert placed[2] == (320.0, 20.0)  # far enough to the right
    assert placed[3] == (150.0, 280.0)
    x, y = placed[1]
    assert x == 150.0 and abs(y - 20.0) >= 16 and 12 <= y <= 288  # no room above: moved down a line
