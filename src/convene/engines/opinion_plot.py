"""The opinion map's plot: participants binned into sized bubbles, each group's hull (pure, no Django).

A scatter of one dot per participant is unreadable both ways: at 20 participants many people who
voted alike sit on exactly the same spot (one dot hides five people), and at 2,000 the dots become
a smear. :func:`plot_layout` therefore

* scales the positions uniformly (both axes by the same factor: the map's distances mean the same
  across and down) into a ``width`` × ``height`` canvas with a margin;
* gathers the points of each group that lie within ``cell`` canvas units of a leader (the most
  crowded spots lead) into one bubble at the mean of its members, its *area* proportional to the
  number of people (``r_min`` for one person up to ``r_max`` for the fullest bubble);
* computes each group's convex hull (Andrew's monotone chain) over its members' positions, with
  the place of the group's label (above the area, else below it, else at its members' centre).

Privacy is the caller's decision, not the engine's: ``conceal`` receives, group by group, the
bubble sizes ``{bubble index: people}`` and returns the indices whose count must not be shown (the
selector passes ``convene.privacy.disclosure.group_sizes``). A concealed bubble keeps its place
but carries no count and is drawn at the size of one person, so neither its label nor its area
tells how many people it holds.

Deterministic: the same input gives the same layout. Bubbles are ordered largest first (drawn in
that order, a small bubble is never hidden under a large one), then by group and position.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

Conceal = Callable[[Mapping[int, int]], Iterable[int]]


@dataclass(frozen=True)
class Bubble:
    """People of one group who sit in one cell of the canvas."""

    x: float  # canvas units (y grows downwards, as in SVG)
    y: float
    r: float
    group: Hashable  # the group key given in (None: not in any group)
    count: int | None  # None when concealed
    data_x: float  # the members' mean position in the map's own units
    data_y: float


@dataclass(frozen=True)
class Hull:
    """The convex hull of one group's members (canvas units), where its label goes, and its size."""

    group: Hashable
    points: tuple[tuple[float, float], ...]  # counter-clockwise; 1 or 2 points when degenerate
    label_x: float
    label_y: float
    size: int


@dataclass(frozen=True)
class PlotLayout:
    width: float
    height: float
    bubbles: tuple[Bubble, ...]
    hulls: tuple[Hull, ...]
    largest: int  # people in the fullest shown bubble (0 if none)


def convex_hull(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Andrew's monotone chain: the hull's vertices counter-clockwise (in y-up terms), no collinear ones.

    One distinct point gives [p]; points on one line give its two ends.
    """
    pts = sorted(set((float(x), float(y)) for x, y in points))
    if len(pts) <= 2:
        return pts

    def cross(o, a, b) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple[float, float]] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def plot_layout(
    x: Sequence[float],
    y: Sequence[float],
    groups: Sequence[Hashable],
    *,
    width: float = 400.0,
    height: float = 300.0,
    margin: float = 34.0,
    cell: float = 14.0,
    r_min: float = 3.0,
    r_max: float = 13.0,
    conceal: Conceal | None = None,
) -> PlotLayout:
    """Bubbles and hulls for points (x[i], y[i]) of group groups[i] (None: no group, no hull).

    ``y`` is in the map's orientation (up is positive); the canvas flips it. Raises ValueError on
    ragged or non-finite input or a non-positive geometry.
    """
    xs = np.asarray(x, dtype=np.float64).reshape(-1)
    ys = np.asarray(y, dtype=np.float64).reshape(-1)
    labels = list(groups)
    if not (len(xs) == len(ys) == len(labels)):
        raise ValueError("x, y and groups must have the same length")
    if not (np.isfinite(xs).all() and np.isfinite(ys).all()):
        raise ValueError("positions must be finite")
    if min(width, height, cell, r_min) <= 0 or margin < 0 or 2 * margin >= min(width, height) or r_max < r_min:
        raise ValueError("bad canvas geometry")
    if not len(xs):
        return PlotLayout(width, height, (), (), 0)
    cx, cy = _to_canvas(xs, ys, width, height, margin)
    keys = {g: i for i, g in enumerate(_group_order(labels))}
    gi = np.array([keys[g] for g in labels], dtype=np.int64)
    member = np.empty(len(xs), dtype=np.int64)  # bubble of each point
    bgroup_list: list[int] = []
    for g in range(len(keys)):
        idx = np.flatnonzero(gi == g)
        for bubble in _leaders(cx[idx], cy[idx], cell):
            member[idx[bubble]] = len(bgroup_list)
            bgroup_list.append(g)
    n_b = len(bgroup_list)
    counts = np.bincount(member, minlength=n_b)
    mean = lambda v: np.bincount(member, weights=v, minlength=n_b) / counts  # noqa: E731
    bx, by, dx, dy = mean(cx), mean(cy), mean(xs), mean(ys)
    bgroup = np.array(bgroup_list, dtype=np.int64)
    order = list(keys)
    shown = np.ones(n_b, dtype=bool)
    if conceal is not None:
        for g in range(len(order)):
            members = np.flatnonzero(bgroup == g)
            hide = set(conceal({int(b): int(counts[b]) for b in members}))
            for b in hide:
                shown[int(b)] = False
    largest = int(counts[shown].max()) if shown.any() else 0
    bubbles = []
    drawn = np.where(shown, counts, 1)  # a concealed bubble is drawn (and ordered) as one person
    for b in np.lexsort((by, bx, bgroup, -drawn)).tolist():
        count = int(counts[b]) if shown[b] else None
        bubbles.append(
            Bubble(
                x=round(float(bx[b]), 1),
                y=round(float(by[b]), 1),
                r=_radius(count, largest, r_min, r_max),
                group=order[bgroup[b]],
                count=count,
                data_x=round(float(dx[b]), 3),
                data_y=round(float(dy[b]), 3),
            )
        )
    hulls = []
    for g, key in enumerate(order):
        if key is None:
            continue
        sel = gi == g
        hull = convex_hull(_hull_candidates(cx[sel], cy[sel]))
        label_x, label_y = _label_place(hull, float(cx[sel].mean()), float(cy[sel].mean()), height, r_max)
        hulls.append(
            Hull(
                group=key,
                points=tuple((round(px, 1), round(py, 1)) for px, py in hull),
                label_x=round(label_x, 1),
                label_y=round(label_y, 1),
                size=int(sel.sum()),
            )
        )
    return PlotLayout(width, height, tuple(bubbles), tuple(hulls), largest)


def _hull_candidates(x: np.ndarray, y: np.ndarray) -> list[tuple[float, float]]:
    """The only points that can be on the hull: the lowest and the highest of each column.

    Positions are rounded to half a canvas unit first (invisible), so a group of 200,000 people
    leaves at most two points per column for the (pure Python) hull.
    """
    xr, yr = np.round(x * 2) / 2, np.round(y * 2) / 2
    order = np.lexsort((yr, xr))
    xs, ys = xr[order], yr[order]
    change = xs[1:] != xs[:-1]
    keep = np.r_[True, change] | np.r_[change, True]
    return list(zip(xs[keep].tolist(), ys[keep].tolist(), strict=True))


def _label_place(hull, mean_x: float, mean_y: float, height: float, r_max: float) -> tuple[float, float]:
    """Where a group's label goes: outside its area, on the side away from the middle of the canvas
    (above a group in the upper half, below one in the lower half), else on the other side, else at
    its members' centre. Outside the area the label covers none of the group's bubbles, and on the
    outer side it rarely falls into another group's area.
    """
    xs = [p[0] for p in hull]
    ys = [p[1] for p in hull]
    x = (min(xs) + max(xs)) / 2
    gap = r_max + 8  # clear of the largest bubble and the area's rounded edge
    above = (min(ys) - gap, min(ys) - gap >= 12)
    below = (max(ys) + gap, max(ys) + gap <= height - 12)
    for y, fits in (above, below) if mean_y <= height / 2 else (below, above):
        if fits:
            return x, y
    return mean_x, mean_y


def _leaders(x: np.ndarray, y: np.ndarray, cell: float) -> list[np.ndarray]:
    """Near points into bubbles (leader clustering): the most crowded spot first leads a bubble, every
    point within ``cell`` of a leader joins the nearest one, and the rest start bubbles of their own.

    Returns the members (indices into x, y) of each bubble; unlike a fixed grid, points a hair apart
    never land in two bubbles because a cell border runs between them.
    """
    # Spots a quarter of a cell wide: a spot moves a point by at most cell/8 (invisible at this
    # scale) and bounds the loop below by the canvas, not the number of people.
    quantum = cell / 4
    spots, inverse, weight = np.unique(
        np.round(np.c_[x, y] / quantum) * quantum, axis=0, return_inverse=True, return_counts=True
    )
    inverse = inverse.reshape(-1)
    order = np.lexsort((spots[:, 1], spots[:, 0], -weight))
    leaders: list[int] = []
    owner = np.full(len(spots), -1, dtype=np.int64)
    for s in order:
        if leaders:
            d = np.hypot(spots[leaders, 0] - spots[s, 0], spots[leaders, 1] - spots[s, 1])
            nearest = int(np.argmin(d))
            if d[nearest] < cell:
                owner[s] = nearest
                continue
        owner[s] = len(leaders)
        leaders.append(int(s))
    of_point = owner[inverse]
    return [np.flatnonzero(of_point == b) for b in range(len(leaders))]


def _group_order(labels: list) -> list:
    """Groups in order of first appearance, "no group" (None) last."""
    seen: dict = {}
    for g in labels:
        seen.setdefault(g, None)
    return [g for g in seen if g is not None] + ([None] if None in seen else [])


def _to_canvas(xs: np.ndarray, ys: np.ndarray, width: float, height: float, margin: float):
    """One scale for both axes, the cloud centred; a single spot lands in the middle."""
    span_x = float(xs.max() - xs.min())
    span_y = float(ys.max() - ys.min())
    room_x, room_y = width - 2 * margin, height - 2 * margin
    scales = [room / span for room, span in ((room_x, span_x), (room_y, span_y)) if span > 0]
    scale = min(scales) if scales else 0.0
    mid_x = (xs.max() + xs.min()) / 2
    mid_y = (ys.max() + ys.min()) / 2
    cx = width / 2 + (xs - mid_x) * scale
    cy = height / 2 - (ys - mid_y) * scale
    return cx, cy


def _radius(count: int | None, largest: int, r_min: float, r_max: float) -> float:
    """Area proportional to the people in the bubble: r_min for one, r_max for the fullest."""
    if count is None or largest <= 1:
        return r_min
    area = r_min**2 + (r_max**2 - r_min**2) * (count - 1) / (largest - 1)
    return round(float(np.sqrt(area)), 1)


def separate_labels(
    labels: Sequence[tuple[float, float, float]], *, height: float, line: float = 16.0, edge: float = 12.0
) -> list[tuple[float, float]]:
    """Move group labels (x, y, width: centred text) apart so that no two overlap.

    Labels are taken left to right; one that overlaps a label already placed moves a line up (in
    the upper half) or down (in the lower half), or the other way when the canvas ends, until it
    is clear or no place is left (then it stays where it was).
    """
    placed: list[tuple[float, float, float]] = []
    out: dict[int, tuple[float, float]] = {}
    for i in sorted(range(len(labels)), key=lambda i: (labels[i][0], i)):
        x, y, w = labels[i]

        def clear(cy: float, x=x, w=w) -> bool:
            return all(abs(cy - py) >= line or abs(x - px) >= (w + pw) / 2 for px, py, pw in placed)

        step = -line if y <= height / 2 else line
        tries = [y + k * step for k in range(6)] + [y - k * step for k in range(1, 6)]
        y_new = next((c for c in tries if edge <= c <= height - edge and clear(c)), y)
        placed.append((x, y_new, w))
        out[i] = (x, y_new)
    return [out[i] for i in range(len(labels))]
