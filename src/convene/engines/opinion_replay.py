"""Replay mode: recompute the groups along the vote timestamps, as Pol.is's math worker does.

Pol.is does not cluster a conversation once: it updates after every batch of
new votes, and each update starts from the previous one (Pol.is's
`math/src/polismath/math/{conversation,clusters}.clj`):

- participants join the clustered set once their vote count reaches
  min(7, statements with votes) and never leave it (greedy fill to 15);
- base clusters (k = 100) are warm-started: every previous cluster is
  re-centred on its members, identical centres are merged, and while there
  are fewer clusters than min(100, distinct points) the most distal point
  becomes a new cluster; then Lloyd steps (at most 100) until every centre
  moves less than 0.01. The very first run seeds with the first distinct
  points in the order participants arrived;
- opinion groups for each k in 2..min(5, 2 + n_base/12) are warm-started from
  the previous clustering for that k (weighted by base-cluster size, at most
  20 steps), and scored by the silhouette over the base clusters;
- k-smoothing: a new best k is adopted only after it has won 4 consecutive
  updates.

Replay reproduces that state machine on checkpoints along the time-ordered
votes (a geometric schedule: updates are frequent while a conversation is
young). It is deterministic (no random numbers at all) and costs one
projection per checkpoint, so it is meant for conversations up to a few
hundred thousand votes, not for the million-participant case.
"""

from __future__ import annotations

import numpy as np

from .opinion_cluster import silhouette
from .opinion_pca import project
from .opinion_votes import VoteTable, prepare

BASE_K = 100
BASE_ITERS = 100
GROUP_ITERS = 20
K_BUFFER = 4
MAX_K = 5
SAME_TOL = 0.01
FIRST_CHECKPOINT = 30  # votes
GROWTH = 1.08  # checkpoint schedule: each update sees ~8 % more votes


def checkpoints(n: int, first: int = FIRST_CHECKPOINT, growth: float = GROWTH) -> list[int]:
    """Vote counts at which the replay recomputes (always ending with n)."""
    out, c = [], float(min(first, n))
    while c < n:
        out.append(int(c))
        c = max(c * growth, c + 1)
    out.append(n)
    return sorted(set(x for x in out if x > 0))


class _Clusters:
    """A clustering as Pol.is keeps it: ids, centres and member lists (point indices)."""

    def __init__(self, ids: list[int], centers: np.ndarray, members: list[np.ndarray]):
        self.ids, self.centers, self.members = ids, centers, members


def _wmean(x: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    if w is None:
        return x.mean(0)
    return (x * w[:, None]).sum(0) / w.sum()


def _assign(x: np.ndarray, centers: np.ndarray) -> np.ndarray:
    d = ((x[:, None, :] - centers[None, :, :]) ** 2).sum(-1)
    return d.argmin(1)


def _same(c1: np.ndarray, c2: np.ndarray) -> bool:
    if len(c1) != len(c2):
        return False
    a = c1[np.lexsort((c1[:, 1], c1[:, 0]))]
    b = c2[np.lexsort((c2[:, 1], c2[:, 0]))]
    return bool(np.all(np.hypot(*(a - b).T) < SAME_TOL))


def _lloyd(x: np.ndarray, w: np.ndarray | None, cl: _Clusters, max_iters: int) -> _Clusters:
    """Pol.is's kmeans loop: step, drop empty clusters, stop when centres stay within 0.01."""
    ww = np.ones(len(x)) if w is None else w
    ids, centers = np.asarray(cl.ids), cl.centers
    it = max_iters
    while True:
        lab = _assign(x, centers)
        k = len(centers)
        mass = np.bincount(lab, weights=ww, minlength=k)
        used = np.bincount(lab, minlength=k) > 0
        new_c = np.column_stack([np.bincount(lab, weights=ww * x[:, i], minlength=k) for i in (0, 1)])
        new_c = new_c[used] / mass[used][:, None]
        done = it == 0 or _same(centers, new_c)
        remap = np.cumsum(used) - 1
        ids, centers, lab = ids[used], new_c, remap[lab]
        if done:
            order = np.argsort(lab, kind="stable")
            bounds = np.searchsorted(lab[order], np.arange(len(ids) + 1))
            members = [order[bounds[j] : bounds[j + 1]] for j in range(len(ids))]
            return _Clusters(ids.tolist(), centers, members)
        it -= 1


def _first_distinct(x: np.ndarray, k: int) -> _Clusters:
    _, first = np.unique(x, axis=0, return_index=True)
    first = np.sort(first)[:k]
    return _Clusters(list(range(len(first))), x[first].copy(), [np.zeros(0, np.int64)] * len(first))


def _warm_start(x: np.ndarray, w: np.ndarray | None, last: _Clusters, k: int, key_of: np.ndarray) -> _Clusters:
    """clean-start-clusters: re-centre on members, merge duplicates, split off distal points.

    key_of maps the current points to the stable keys that `last.members` hold.
    """
    ww = np.ones(len(x)) if w is None else w
    size = int(max(key_of.max(initial=0), max((int(m.max(initial=0)) for m in last.members), default=0))) + 1
    pos_of = np.full(size, -1, dtype=np.int64)
    pos_of[key_of] = np.arange(len(key_of))
    ids, members = [], []
    for cid, mem in zip(last.ids, last.members, strict=True):
        m = pos_of[mem]
        m = m[m >= 0]
        if len(m):
            ids.append(cid)
            members.append(m)
    if not ids:
        return _first_distinct(x, k)
    lab = np.full(len(x), -1, dtype=np.int64)  # -1: not in any cluster yet
    for j, m in enumerate(members):
        lab[m] = j

    def centres(lab, n):
        inside = lab >= 0
        mass = np.bincount(lab[inside], weights=ww[inside], minlength=n)
        c = [np.bincount(lab[inside], weights=ww[inside] * x[inside, i], minlength=n) for i in (0, 1)]
        return np.column_stack(c) / mass[:, None]

    cen = centres(lab, len(ids))
    # Merge clusters whose centres coincide (the larger one keeps its id).
    _, first, inv = np.unique(cen, axis=0, return_index=True, return_inverse=True)
    if len(first) < len(ids):
        sizes = np.array([len(m) for m in members])
        inv = inv.ravel()
        chosen = np.array([grp[np.argmax(sizes[grp])] for grp in (np.flatnonzero(inv == g) for g in range(len(first)))])
        keep = np.sort(chosen)
        new_index = np.searchsorted(keep, chosen)[inv]
        ids = [ids[i] for i in keep]
        lab = np.where(lab >= 0, new_index[np.maximum(lab, 0)], -1)
        cen = centres(lab, len(ids))
    possible = min(k, len(np.unique(x, axis=0)))
    next_id = max(max(ids), max(last.ids)) + 1
    while len(ids) < possible:
        d = ((x[:, None, :] - cen[None, :, :]) ** 2).sum(-1).min(1)
        far = int(np.argmax(d))
        if d[far] <= 0:
            break
        old = lab[far]
        lab[far] = len(ids)
        ids.append(next_id)
        next_id += 1
        if old >= 0 and not np.any(lab == old):  # its cluster emptied: drop it
            ids.pop(old)
            lab[lab > old] -= 1
        cen = centres(lab, len(ids))
    members = [np.flatnonzero(lab == j) for j in range(len(ids))]
    return _Clusters(ids, cen, members)


def _silhouette(centers: np.ndarray, lab: np.ndarray) -> float:
    """Mean silhouette over the base clusters (unweighted, singletons score 0), as Pol.is."""
    return silhouette(centers, lab)


class Replay:
    """The state Pol.is carries from one update to the next."""

    def __init__(self, n_participants: int):
        self.in_conv = np.zeros(n_participants, dtype=bool)
        self.base: _Clusters | None = None  # members hold global participant indices
        self.groups: dict[int, _Clusters] = {}  # members hold base-cluster ids
        self.last_k: int | None = None
        self.last_k_count = 0
        self.smoothed_k: int | None = None
        self.silhouette = -1.0
        self.pcs: np.ndarray | None = None

    def update(self, xy: np.ndarray, pidx: np.ndarray, counts: np.ndarray, n_cols: int, arrival: np.ndarray, k=None):
        """One Pol.is update. xy/counts are per participant of this checkpoint, pidx their global index."""
        inc = self.in_conv
        inc[pidx[counts >= min(7, n_cols)]] = True
        if inc[pidx].sum() < 15:
            heavy = np.lexsort((arrival[pidx], -counts))
            for i in heavy:
                if inc[pidx].sum() >= 15:
                    break
                inc[pidx[i]] = True
        sel = np.flatnonzero(inc[pidx])
        sel = sel[np.argsort(arrival[pidx[sel]], kind="stable")]  # Pol.is's row order
        x, keys = xy[sel], pidx[sel]
        if len(x) == 0:
            return
        start = _first_distinct(x, BASE_K) if self.base is None else _warm_start(x, None, self.base, BASE_K, keys)
        base = _lloyd(x, None, start, BASE_ITERS)
        order = np.argsort(base.ids)
        base = _Clusters([base.ids[i] for i in order], base.centers[order], [base.members[i] for i in order])
        self.base = _Clusters(base.ids, base.centers, [keys[m] for m in base.members])
        centers = base.centers
        w = np.array([len(m) for m in base.members], dtype=np.float64)
        bids = np.array(base.ids)
        n_b = len(bids)
        ks = [max(1, min(int(k), n_b))] if k is not None else list(range(2, min(MAX_K, 2 + n_b // 12) + 1))
        scores = {}
        for kk in ks:
            if kk >= n_b:
                g = _Clusters(list(range(n_b)), centers.copy(), [np.array([b]) for b in bids])
            else:
                last = self.groups.get(kk)
                start = _first_distinct(centers, kk) if last is None else _warm_start(centers, w, last, kk, bids)
                g = _lloyd(centers, w, start, GROUP_ITERS)
                g = _Clusters(g.ids, g.centers, [bids[m] for m in g.members])
            self.groups[kk] = g
            lab = np.zeros(n_b, np.int64)
            for j, mem in enumerate(g.members):
                lab[np.searchsorted(bids, mem)] = j
            scores[kk] = _silhouette(centers, lab) if kk > 1 else -1.0
        this_k = max(scores, key=lambda kk: (scores[kk], -kk))
        if k is not None:
            self.smoothed_k = this_k
        else:
            self.last_k_count = self.last_k_count + 1 if self.last_k == this_k else 1
            self.last_k = this_k
            if self.last_k_count >= K_BUFFER or self.smoothed_k is None or self.smoothed_k not in scores:
                self.smoothed_k = this_k
        self.silhouette = scores[self.smoothed_k]

    def labels(self, n_participants: int) -> tuple[np.ndarray, int]:
        """Opinion group per global participant (-1 = not clustered), and the number of groups."""
        group = np.full(n_participants, -1, dtype=np.int64)
        if self.base is None or self.smoothed_k is None:
            return group, 0
        g = self.groups[self.smoothed_k]
        sizes = np.zeros(len(g.members), dtype=np.int64)
        bid_group = {}
        for j, mem in enumerate(g.members):
            for b in mem.tolist():
                bid_group[b] = j
        for b, mem in zip(self.base.ids, self.base.members, strict=True):
            group[mem] = bid_group.get(b, -1)
            sizes[bid_group.get(b, 0)] += len(mem) if b in bid_group else 0
        # Number groups by size, largest first (ties by centre), as the one-shot path does.
        cx, cy = np.round(g.centers[:, 0], 9), np.round(g.centers[:, 1], 9)
        rank = np.lexsort((cy, cx, -sizes))
        new_id = np.empty(len(rank), np.int64)
        new_id[rank] = np.arange(len(rank))
        group[group >= 0] = new_id[group[group >= 0]]
        return group, len(g.members)


def _align(pcs: np.ndarray, prev: np.ndarray | None) -> np.ndarray:
    """Keep each component's sign (and order) continuous with the previous update.

    Pol.is's power iteration starts from the previous components, so its axes
    do not flip between updates; warm-started clusters rely on that.
    """
    if prev is None:
        return pcs
    out = pcs.copy()
    if abs(pcs[1] @ prev[0]) > abs(pcs[0] @ prev[0]) and abs(pcs[0] @ prev[1]) > abs(pcs[1] @ prev[1]):
        out = out[::-1].copy()
    for i in range(2):
        if out[i] @ prev[i] < 0:
            out[i] = -out[i]
    return out


def replay_groups(
    rows: np.ndarray,
    final: VoteTable,
    moderated: np.ndarray,
    *,
    polis: bool = True,
    k: int | None = None,
    schedule: list[int] | None = None,
) -> tuple[np.ndarray, np.ndarray, int, float]:
    """Groups after replaying Pol.is's updates over `rows` (time-ordered votes, (n, 4)).

    Returns (group per participant of `final`, included mask, k, silhouette).
    """
    n_final = final.n_participants
    state = Replay(n_final)
    # Arrival order: rank of each participant's first vote (Pol.is appends rows as they come).
    gp = np.searchsorted(final.participant_ids, rows[:, 0].astype(np.int64))
    arrival = np.full(n_final, len(rows), dtype=np.int64)
    np.minimum.at(arrival, gp, np.arange(len(rows)))
    stmt = final.statement_ids
    plan = list(schedule or checkpoints(len(rows)))
    # Pol.is keeps updating after the last vote (restarts, moderation, exports): settle
    # on the final votes long enough for the k-smoother to adopt the current best k.
    plan += [plan[-1]] * K_BUFFER if plan else []
    for m in plan:
        tb = prepare(rows[:m], stmt)
        proj = project(tb, moderated, polis=polis)
        pcs = _align(proj.pcs, state.pcs)
        xy = proj.xy if pcs is proj.pcs else proj.xy @ np.round(proj.pcs @ pcs.T)
        state.pcs = pcs
        pidx = np.searchsorted(final.participant_ids, tb.participant_ids)
        state.update(xy, pidx, np.diff(tb.indptr), proj.n_columns, arrival, k=k)
    group, k_used = state.labels(n_final)
    return group, state.in_conv.copy(), k_used, state.silhouette
