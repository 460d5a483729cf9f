"""Exact references for the matching engine (used by bench/matching.py and the tests).

* ``exhaustive``: branch and bound over every team composition, for instances
  of a few projects. Same lexicographic objective as the engine
  (fill, then sum of priority tiers, then fit) on the engine's candidate graph
  (hard filters, tiers and fit scores come from the engine; only the
  optimisation is independent).
* ``dense_lsa``: ``scipy.optimize.linear_sum_assignment`` on the dense full
  slot-expanded problem (every person row x every slot, no pruning). Exact when
  every person has room for one project; with more room it is the relaxation
  that may place a person twice on one project (reported as ``duplicates``).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
from scipy.optimize import linear_sum_assignment

from convene.engines._matching_solver import edge_costs
from convene.engines.matching import _Graph


@dataclass(frozen=True)
class RefResult:
    filled: int
    tier_sum: int  # sum of 0-based priority tiers of the people placed
    fit: float
    assignment: tuple[tuple[int, int, str], ...]  # (project id, person id, role)
    duplicates: int = 0


def objective(projects, candidates, assignments, **kw) -> tuple[int, int, float]:
    """(filled, tier_sum, fit) of engine Matches, measured like the references."""
    g = _Graph(projects, candidates, **kw)
    tiers = sum(int(g.rank[g.pidx[a.person]]) for a in assignments)
    return len(assignments), tiers, float(sum(a.score for a in assignments))


def exhaustive(projects, candidates, *, require_skill_overlap: bool = True) -> RefResult:
    g = _Graph(projects, candidates, require_skill_overlap=require_skill_overlap)
    groups = []
    for j in range(len(g.projects)):
        for r in (0, 1):
            s = int(g.slots[j, r])
            elig = [int(i) for i in np.flatnonzero(g.eligible[r, :, j])]
            if s and elig:
                groups.append((j, r, s, elig))
    cap = g.cap.copy()
    rank, fit = g.rank, g.fit
    # optimistic completion bounds from group gi on
    n = len(groups)
    bf, bt, bx = [0] * (n + 1), [0] * (n + 1), [0.0] * (n + 1)
    for gi in range(n - 1, -1, -1):
        j, r, s, elig = groups[gi]
        m = min(s, len(elig))
        bf[gi] = bf[gi + 1] + m
        bt[gi] = bt[gi + 1] + sum(sorted(int(rank[i]) for i in elig)[:m])
        bx[gi] = bx[gi + 1] + sum(sorted((float(fit[r, i, j]) for i in elig), reverse=True)[:m])
    best: list = [(-1, 0, -1.0), ()]
    on: set[tuple[int, int]] = set()
    chosen: list[tuple[int, int, int]] = []

    def better(a, b) -> bool:
        return (a[0], -a[1], a[2]) > (b[0], -b[1], b[2] + 1e-12)

    def rec(gi: int, filled: int, tiers: int, total: float) -> None:
        if not better((filled + bf[gi], tiers + bt[gi], total + bx[gi]), best[0]):
            return
        if gi == n:
            best[0], best[1] = (filled, tiers, total), tuple(chosen)
            return
        j, r, s, elig = groups[gi]
        free = [i for i in elig if cap[i] > 0 and (i, j) not in on]
        for size in range(min(s, len(free)), -1, -1):
            for combo in combinations(free, size):
                for i in combo:
                    cap[i] -= 1
                    on.add((i, j))
                    chosen.append((i, j, r))
                rec(
                    gi + 1,
                    filled + size,
                    tiers + sum(int(rank[i]) for i in combo),
                    total + sum(float(fit[r, i, j]) for i in combo),
                )
                for i in combo:
                    cap[i] += 1
                    on.discard((i, j))
                    chosen.pop()

    rec(0, 0, 0, 0.0)
    (filled, tiers, total), picked = best
    roles = ("mentor", "mentee")
    return RefResult(
        max(filled, 0),
        tiers,
        max(total, 0.0),
        tuple((g.projects[j].id, g.candidates[i].id, roles[r]) for i, j, r in picked),
    )


def dense_lsa(projects, candidates, *, require_skill_overlap: bool = True) -> RefResult:
    g = _Graph(projects, candidates, require_skill_overlap=require_skill_overlap)
    r_idx, p_idx, j_idx = np.nonzero(g.eligible & (g.slots.T[:, None, :] > 0))
    flat = g.slots.reshape(-1)
    col_start = np.concatenate([[0], np.cumsum(flat)])
    n_slots = int(col_start[-1])
    if len(p_idx) == 0 or n_slots == 0:
        return RefResult(0, 0, 0.0, ())
    fit = g.fit[r_idx, p_idx, j_idx]
    cost, empty = edge_costs(g.rank[p_idx], fit, n_slots)
    n_proj = np.array([len(np.unique(j_idx[p_idx == i])) for i in range(len(g.candidates))])
    k = np.minimum(g.cap, n_proj)
    row_start = np.concatenate([[0], np.cumsum(k)])
    m = np.full((int(row_start[-1]), n_slots), empty)  # "forbidden" = slot left empty
    for e in range(len(p_idx)):
        grp = 2 * j_idx[e] + r_idx[e]
        i = p_idx[e]
        m[row_start[i] : row_start[i + 1], col_start[grp] : col_start[grp + 1]] = cost[e]
    rows, cols = linear_sum_assignment(m)
    owner = np.repeat(np.arange(len(k)), k)
    grp = np.searchsorted(col_start, cols, side="right") - 1
    real = m[rows, cols] < empty
    picked = [(int(owner[a]), int(b // 2), int(b % 2)) for a, b in zip(rows[real], grp[real], strict=True)]
    pairs = [(i, j) for i, j, _ in picked]
    roles = ("mentor", "mentee")
    return RefResult(
        len(picked),
        int(sum(g.rank[i] for i, _, _ in picked)),
        float(sum(g.fit[r, i, j] for i, j, r in picked)),
        tuple((g.projects[j].id, g.candidates[i].id, roles[r]) for i, j, r in picked),
        duplicates=len(pairs) - len(set(pairs)),
    )
