"""Exact capacitated assignment for :mod:`convene.engines.matching` (numpy/scipy only).

Problem: edges (person, project, role) with a priority tier and a fit in [0, 1];
each person takes at most ``capacity`` projects and at most one role per
project; each (project, role) has ``slots`` places. Objective, lexicographic:

1. fill as many slots as possible,
2. then minimise the sum of the tiers of the people placed,
3. then maximise the sum of fits.

It is encoded as one cost per edge, ``1 + BIG * tier + (1 - fit)`` with
``BIG = S + 1`` (S = number of slots, so no amount of fit can buy one tier) and
an empty slot costs ``U = S * max_edge_cost + 1`` (so no amount of tiers can buy
leaving a slot empty). Slots are expanded into columns; each person becomes
``min(capacity, #projects)`` identical rows. That relaxation may put one
person twice on the same project; when it does, those people (and only them)
are re-modelled with the exact "edge gadget": the duplicated (person, project)
pairs (and only them) get a row ``v`` and a column ``u``: ``person rows -> u``,
``v -> u`` (pair unused) and ``v -> slots of the project`` (used, any role),
so such a pair is used at most once. Re-solve until no duplicate is left: the
final relaxation is feasible, hence optimal for the exact problem.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_array
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

DENSE_LIMIT = 1_500_000  # rows * cols under which the dense LSA is used by "auto"
PRUNE_ABOVE = 50_000  # edges above which "auto" pruning keeps the best edges per slot group
PRUNE_FACTOR, PRUNE_EXTRA = 3, 6  # a group of s slots keeps its best 3 s + 6 candidates
PREGADGET = 10_000  # up to this many edges of multi-project people get the gadget at once
PRUNE_PERSON = 16  # ... and each person their best 16 k edges (k = rows of the person)


def edge_costs(tier: np.ndarray, fit: np.ndarray, n_slots: int) -> tuple[np.ndarray, float]:
    """Per-edge cost and the cost of an empty slot (see module docstring)."""
    big = float(n_slots + 1)
    cost = 1.0 + big * tier.astype(float) + (1.0 - np.clip(fit, 0.0, 1.0))
    max_cost = 2.0 + big * float(tier.max(initial=0))
    return cost, n_slots * max_cost + 1.0


def solve_assignment(
    *,
    person: np.ndarray,
    project: np.ndarray,
    role: np.ndarray,
    tier: np.ndarray,
    fit: np.ndarray,
    capacity: np.ndarray,
    slots: np.ndarray,
    solver: str = "auto",
    prune: bool | None = None,
) -> list[tuple[int, int, int]]:
    """Return the chosen edges as (person, project, role) index triples.

    ``prune`` (default: when there are more than ``PRUNE_ABOVE`` edges) keeps
    only the ``3 s + 6`` cheapest candidates of each (project, role) group of
    ``s`` slots, plus each person's ``16 k`` cheapest edges. Because the cost
    is tier-major, every candidate pruned from a group has a tier >= that of
    anyone placed in it, so the fairness property is kept exactly; a group
    left short while it had pruned candidates gets twice as many back and the
    problem is solved again, until no such group is left. The fill and the
    fit may then be (slightly) below the optimum of the unpruned problem.
    """
    if solver not in ("auto", "dense", "sparse"):
        raise ValueError(f"unknown solver {solver!r}")
    person = np.asarray(person, dtype=np.int64)
    project = np.asarray(project, dtype=np.int64)
    role = np.asarray(role, dtype=np.int64)
    capacity = np.asarray(capacity, dtype=np.int64)
    flat = np.asarray(slots, dtype=np.int64).reshape(-1)  # group g = 2 * project + role
    col_start = np.concatenate([[0], np.cumsum(flat)])
    n_slots = int(col_start[-1])
    keep = (capacity[person] > 0) & (flat[2 * project + role] > 0)
    person, project, role = person[keep], project[keep], role[keep]
    tier, fit = np.asarray(tier)[keep], np.asarray(fit, dtype=float)[keep]
    if len(person) == 0:
        return []
    cost, empty = edge_costs(tier, fit, n_slots)
    group = 2 * project + role

    # rows per person: capacity, but never more than the projects they could join
    n_people = len(capacity)
    pj = np.unique(person * (project.max() + 1) + project)
    n_proj = np.bincount(pj // (project.max() + 1), minlength=n_people)
    k = np.minimum(capacity, n_proj)

    width = int(project.max()) + 1
    key = person * width + project
    if prune is None:
        prune = len(person) > PRUNE_ABOVE
    if prune:
        limit = PRUNE_FACTOR * flat + PRUNE_EXTRA
        g_rank = _rank_within(group, cost)
        active = (g_rank < limit[group]) | (_rank_within(person, cost) < PRUNE_PERSON * k[person])
    else:
        active = np.ones(len(person), dtype=bool)
    # people with several rows can land twice on one project: model their pairs exactly
    # up front when that is cheap, else lazily (only the pairs that did duplicate)
    multi = (k[person] > 1) & active
    gadget_keys = np.unique(key[multi]) if multi.sum() <= PREGADGET else np.zeros(0, np.int64)
    while True:
        a = np.flatnonzero(active)
        gadget = np.isin(key[a], gadget_keys)
        chosen = _solve_once(person[a], project[a], group[a], cost[a], empty, k, gadget, flat, col_start, solver)
        uniq, counts = np.unique(chosen[:, 0] * width + chosen[:, 1], return_counts=True)
        dup = uniq[counts > 1]
        if np.isin(dup, gadget_keys).any():  # pragma: no cover - the gadget cannot duplicate
            raise RuntimeError("assignment gadget produced a duplicate")
        gadget_keys = np.union1d(gadget_keys, dup)
        restore = False
        if prune:
            short = np.bincount(2 * chosen[:, 1] + chosen[:, 2], minlength=len(flat)) < flat
            short &= np.bincount(group[~active], minlength=len(flat)) > 0
            if short.any():  # give those groups twice as many candidates
                limit = np.where(short, 2 * limit, limit)
                active |= g_rank < limit[group]
                restore = True
        if len(dup) == 0 and not restore:
            return [(int(p), int(j), int(r)) for p, j, r in chosen]


def _rank_within(owner: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Rank of each edge by cost among the edges of the same owner (0 = cheapest)."""
    order = np.lexsort((cost, owner))
    o = owner[order]
    rank = np.empty(len(owner), dtype=np.int64)
    rank[order] = np.arange(len(o)) - np.searchsorted(o, o, side="left")
    return rank


def _solve_once(
    person: np.ndarray,
    project: np.ndarray,
    group: np.ndarray,
    cost: np.ndarray,
    empty: float,
    k: np.ndarray,
    gadget: np.ndarray,
    flat: np.ndarray,
    col_start: np.ndarray,
    solver: str,
) -> np.ndarray:
    n_slots = int(col_start[-1])
    row_start = np.concatenate([[0], np.cumsum(k)])
    r0 = int(row_start[-1])
    s_e = flat[group]

    # plain edges: every row of p -> every slot of (project, role)
    plain = ~gadget
    e = np.flatnonzero(plain)
    n_e = k[person[e]] * s_e[e]
    rep = np.repeat(e, n_e)
    off = np.arange(len(rep)) - np.repeat(np.cumsum(n_e) - n_e, n_e)
    rows = [row_start[person[rep]] + off // s_e[rep]]
    cols = [col_start[group[rep]] + off % s_e[rep]]
    vals = [cost[rep]]

    # gadget edges: one (v row, u column) per (person, project) pair
    g = np.flatnonzero(~plain)
    n_pairs = 0
    if len(g):
        width = int(project.max()) + 1
        key = person[g] * width + project[g]
        pair_key, pair_of = np.unique(key, return_inverse=True)
        n_pairs = len(pair_key)
        pair_person = pair_key // width
        v_row = r0 + np.arange(n_pairs)
        u_col = n_slots + np.arange(n_pairs)
        # person rows -> u
        kk = k[pair_person]
        q = np.repeat(np.arange(n_pairs), kk)
        off = np.arange(len(q)) - np.repeat(np.cumsum(kk) - kk, kk)
        rows.append(row_start[pair_person[q]] + off)
        cols.append(u_col[q])
        vals.append(np.ones(len(q)))
        # v -> u (pair unused)
        rows.append(v_row)
        cols.append(u_col)
        vals.append(np.ones(n_pairs))
        # v -> slots of (project, role) (pair used in that role)
        n_e = s_e[g]
        rep = np.repeat(np.arange(len(g)), n_e)
        off = np.arange(len(rep)) - np.repeat(np.cumsum(n_e) - n_e, n_e)
        rows.append(v_row[pair_of[rep]])
        cols.append(col_start[group[g[rep]]] + off)
        vals.append(cost[g[rep]])
    else:
        pair_person = np.zeros(0, dtype=np.int64)

    # one dummy row per slot: the slot stays empty
    d0 = r0 + n_pairs
    rows.append(d0 + np.arange(n_slots))
    cols.append(np.arange(n_slots))
    vals.append(np.full(n_slots, empty))

    n_rows, n_cols = d0 + n_slots, n_slots + n_pairs
    R = np.concatenate(rows).astype(np.int64)
    C = np.concatenate(cols).astype(np.int64)
    V = np.concatenate(vals).astype(float)
    if solver == "dense" or (solver == "auto" and n_rows * n_cols <= DENSE_LIMIT):
        m = np.full((n_rows, n_cols), np.inf)
        m[R, C] = V
        ri, ci = linear_sum_assignment(m)
    else:
        m = csr_array((V, (R, C)), shape=(n_rows, n_cols))
        ri, ci = min_weight_full_bipartite_matching(m)

    # decode: a project slot taken by a person row or a v row
    take = (ci < n_slots) & (ri < d0)
    ri, ci = ri[take], ci[take]
    grp = np.searchsorted(col_start, ci, side="right") - 1
    owner = np.repeat(np.arange(len(k)), k)
    who = np.where(ri < r0, owner[np.minimum(ri, max(r0 - 1, 0))], 0)
    is_v = ri >= r0
    if is_v.any():
        who[is_v] = pair_person[ri[is_v] - r0]
    return np.stack([who, grp // 2, grp % 2], axis=1).astype(np.int64)
