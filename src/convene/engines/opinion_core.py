"""The analysis pipeline on prepared votes: projection -> groups -> statistics.

Split from opinion.py so OpinionState can reuse a prepared VoteTable.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import numpy as np

from . import opinion_stats as S
from .opinion_cluster import base_clusters, group_clusters, refine_groups
from .opinion_model import (
    Breakdown,
    GroupSummary,
    OpinionMap,
    RepresentativeStatement,
    StatementStats,
)
from .opinion_pca import project
from .opinion_replay import replay_groups
from .opinion_votes import OpinionInputError, VoteTable, statement_ids_of

MODES = ("polis", "convene")
_TOP = 10  # length of common-ground / divisive lists


def check_params(k, seed, mode) -> None:
    if k is not None and (isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1):
        raise OpinionInputError(f"k must be a positive integer or None, got {k!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise OpinionInputError(f"seed must be an integer, got {seed!r}")
    if mode not in MODES:
        raise OpinionInputError(f"mode must be one of {MODES}, got {mode!r}")


def moderated_mask(statement_ids: np.ndarray, moderated_out) -> np.ndarray:
    mod = statement_ids_of(moderated_out)
    return np.isin(statement_ids, mod)  # unknown ids are ignored


def included_participants(n_votes: np.ndarray, n_columns: int, table: VoteTable | None = None) -> np.ndarray:
    """Votes >= min(7, N_c); if fewer than 15 qualify, the heaviest voters fill up to 15.

    With `table` (Pol.is mode) inclusion is judged along the vote timestamps,
    as Pol.is does on every update and never revokes: a participant is in if
    at some vote time their count reached min(7, N_c at that time).
    """
    inc = n_votes >= min(7, n_columns)
    if table is not None and not inc.all():
        inc |= _ever_included(table, ~inc)
    if inc.sum() < 15:
        heaviest = np.lexsort((np.arange(len(n_votes)), -n_votes))[:15]
        inc[heaviest] = True
    return inc


def _ever_included(table: VoteTable, candidates: np.ndarray) -> np.ndarray:
    """Only the (few) not-yet-included participants' votes are sorted by time."""
    first = np.full(table.n_statements, np.inf)
    np.minimum.at(first, table.s, table.t)
    first = np.sort(first[np.isfinite(first)])  # first vote time of each voted statement
    sel = np.flatnonzero(candidates[table.p])
    order = sel[np.lexsort((table.t[sel], table.p[sel]))]  # per participant, by time
    p, t = table.p[order], table.t[order]
    run_start = np.r_[True, p[1:] != p[:-1]] if len(p) else np.zeros(0, bool)
    k = np.arange(len(p)) - np.maximum.accumulate(np.where(run_start, np.arange(len(p)), 0)) + 1
    n_cols = np.searchsorted(first, t, side="right")  # statements with votes by then
    ok = k >= np.minimum(7, n_cols)
    return np.bincount(p[ok], minlength=table.n_participants) > 0


def breakdown(
    table: VoteTable,
    labels: np.ndarray,
    names: tuple,
    moderated: np.ndarray,
) -> Breakdown:
    """Per-group statistics for any partition (label per participant, -1 = none)."""
    n_g, n_s = len(names), table.n_statements
    na, nd, ns = S.counts_by_label(table.p, table.s, table.v, labels, n_g, n_s)
    st = S.group_stats(na, nd, ns)
    allowed = ~moderated
    sizes = np.bincount(labels[labels >= 0], minlength=n_g)
    groups = tuple(
        GroupSummary(
            id=names[g],
            size=int(sizes[g]),
            representative=tuple(
                RepresentativeStatement(**{**e, "statement": int(table.statement_ids[e["statement"]])})
                for e in S.representative(st, na, nd, ns, g, allowed)
            ),
        )
        for g in range(n_g)
    )
    gic = S.group_informed_consensus(na, ns)
    spread, split = S.splits(na, ns) if n_g else (np.zeros(n_s), np.zeros(n_s, dtype=bool))
    voted = allowed & (ns.sum(0) > 0)
    if n_g:
        common = np.flatnonzero(voted & (st["pa"].min(0) > 0.5))
        common = common[np.argsort(-gic[common], kind="stable")][:_TOP]
    else:
        common = np.zeros(0, np.int64)
    div = np.flatnonzero(voted & split)  # groups that really differ, not smoothing noise
    div = div[np.argsort(-spread[div], kind="stable")][:_TOP]
    ids = table.statement_ids
    return Breakdown(
        groups=groups,
        stats=StatementStats(
            groups=tuple(names),
            statements=ids,
            n_agree=na,
            n_disagree=nd,
            n_votes=ns,
            **st,
        ),
        group_informed_consensus=gic,
        spread=spread,
        common_ground=tuple(int(ids[j]) for j in common),
        divisive=tuple(int(ids[j]) for j in div),
    )


def _attribute_labels(table: VoteTable, attributes: Mapping) -> tuple[np.ndarray, tuple]:
    raw = [attributes.get(int(pid)) for pid in table.participant_ids]
    present = {a for a in raw if a is not None}
    names = tuple(sorted(present, key=lambda a: (type(a).__name__, str(a))))
    code = {a: i for i, a in enumerate(names)}
    labels = np.array([-1 if a is None else code[a] for a in raw], dtype=np.int64)
    return labels, names


def _freeze(*arrays: np.ndarray) -> None:
    for a in arrays:
        a.flags.writeable = False


def analyze_table(
    table: VoteTable,
    *,
    moderated: np.ndarray,
    attributes: Mapping | None = None,
    k: int | None = None,
    seed: int = 0,
    mode: str = "polis",
    started: float | None = None,
    replay_rows: np.ndarray | None = None,
) -> OpinionMap:
    """`analyze` on already-prepared votes (OpinionState reuses its table)."""
    started = time.perf_counter() if started is None else started
    rng = np.random.default_rng(seed)
    n_p, n_s = table.n_participants, table.n_statements
    proj = project(table, moderated, polis=(mode == "polis"))
    if replay_rows is not None:
        group, included, k_used, score = replay_groups(replay_rows, table, moderated, polis=(mode == "polis"), k=k)
    else:
        n_votes = np.diff(table.indptr)
        included = included_participants(n_votes, proj.n_columns, table if mode == "polis" else None)
        inc_idx = np.flatnonzero(included)

        centers, base_lab = base_clusters(proj.xy[inc_idx], rng)
        sizes = np.bincount(base_lab, minlength=len(centers)).astype(np.float64)
        g_of_base, k_used, score = group_clusters(centers, sizes, rng, k=k)
        group = np.full(n_p, -1, dtype=np.int64)
        group[inc_idx] = g_of_base[base_lab]
        if k_used > 1:
            # Polish: Lloyd on the participants themselves from the group centres,
            # removing the granularity error of the 100 base clusters. Closer to
            # Pol.is's exported groups on every conversation in bench/RESULTS.md.
            group[inc_idx] = refine_groups(proj.xy[inc_idx], group[inc_idx], k_used)
    opinion = breakdown(table, group, tuple(range(k_used)), moderated)

    na = np.bincount(table.s[table.v == 1], minlength=n_s)
    nd = np.bincount(table.s[table.v == -1], minlength=n_s)
    nv = np.bincount(table.s, minlength=n_s)
    npass = nv - na - nd
    allowed = ~moderated
    cons_a, cons_d = S.consensus(na, nd, nv, allowed)
    prio = np.where(moderated, 0.0, S.priority(na, npass, nv, proj.extremity))
    ext_rank = np.flatnonzero(allowed & (nv > 0))
    ext_rank = ext_rank[np.argsort(-proj.extremity[ext_rank], kind="stable")][:_TOP]
    by_attr = None
    if attributes is not None:
        labels, names = _attribute_labels(table, attributes)
        by_attr = breakdown(table, labels, names, moderated)
    ids = table.statement_ids
    x, y = np.ascontiguousarray(proj.xy[:, 0]), np.ascontiguousarray(proj.xy[:, 1])
    sx, sy = (np.ascontiguousarray(proj.statement_xy[:, i]) for i in (0, 1))
    _freeze(x, y, group, included, sx, sy, proj.extremity, na, nd, npass, prio)
    return OpinionMap(
        participants=table.participant_ids,
        x=x,
        y=y,
        group=group,
        included=included,
        statements=ids,
        statement_x=sx,
        statement_y=sy,
        extremity=proj.extremity,
        moderated_out=moderated,
        n_agree=na,
        n_disagree=nd,
        n_pass=npass,
        priority=prio,
        opinion=opinion,
        consensus_agree=tuple(int(ids[j]) for j in cons_a),
        consensus_disagree=tuple(int(ids[j]) for j in cons_d),
        divisive_by_extremity=tuple(int(ids[j]) for j in ext_rank),
        by_attribute=by_attr,
        k=int(k_used),
        silhouette=float(score) if np.isfinite(score) else -1.0,
        seed=int(seed),
        mode=mode,
        seconds=time.perf_counter() - started,
        replay=replay_rows is not None,
    )
