"""Per-group statement statistics, representative statements, consensus, priority.

Formulas are POLIS_MATH.md's, vectorised over (group, statement). Everything is
computed from integer counts, so results do not depend on input order.
"""

from __future__ import annotations

import numpy as np

Z90 = 1.2816  # one-sided 90 % (Pol.is's z-sig-90?)
Z95 = 1.6449


def counts_by_label(
    p: np.ndarray, s: np.ndarray, v: np.ndarray, labels: np.ndarray, n_groups: int, n_s: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(n_agree, n_disagree, n_votes) as (n_groups, n_s) int arrays; label -1 = none."""
    g = labels[p]
    keep = g >= 0
    flat = g[keep] * n_s + s[keep]
    vk = v[keep]
    size = n_groups * n_s
    na = np.bincount(flat[vk == 1], minlength=size).reshape(n_groups, n_s)
    nd = np.bincount(flat[vk == -1], minlength=size).reshape(n_groups, n_s)
    ns = np.bincount(flat, minlength=size).reshape(n_groups, n_s)
    return na, nd, ns


def one_prop_z(n_succ, n):
    """pat/pdt: 2 sqrt(n+1) ((n_succ+1)/(n+1) - 1/2)."""
    return 2.0 * np.sqrt(n + 1.0) * ((n_succ + 1.0) / (n + 1.0) - 0.5)


def two_prop_z(a_in, s_in, a_out, s_out):
    """rat/rdt: two-proportion z-test with +1 on all four counts; 0 when p_hat = 1."""
    p1 = (a_in + 1.0) / (s_in + 1.0)
    p2 = (a_out + 1.0) / (s_out + 1.0)
    ph = (a_in + a_out + 2.0) / (s_in + s_out + 2.0)
    var = ph * (1.0 - ph) * (1.0 / (s_in + 1.0) + 1.0 / (s_out + 1.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (p1 - p2) / np.sqrt(var)
    return np.where((ph >= 1.0) | (var <= 0), 0.0, z)


def group_stats(na: np.ndarray, nd: np.ndarray, ns: np.ndarray) -> dict[str, np.ndarray]:
    """pa, pd, pat, pdt, ra, rd, rat, rdt for every (group, statement)."""
    na, nd, ns = (np.asarray(a, dtype=np.float64) for a in (na, nd, ns))
    ra_out, rd_out, rs_out = na.sum(0) - na, nd.sum(0) - nd, ns.sum(0) - ns
    pa = (na + 1.0) / (ns + 2.0)
    pd = (nd + 1.0) / (ns + 2.0)
    return {
        "pa": pa,
        "pd": pd,
        "pat": one_prop_z(na, ns),
        "pdt": one_prop_z(nd, ns),
        "ra": pa / ((ra_out + 1.0) / (rs_out + 2.0)),
        "rd": pd / ((rd_out + 1.0) / (rs_out + 2.0)),
        "rat": two_prop_z(na, ns, ra_out, rs_out),
        "rdt": two_prop_z(nd, ns, rd_out, rs_out),
    }


def _entry(st, na, nd, ns, g, j, best_agree=False):
    # The group's best-agreed statement is always shown as an agree.
    agree = best_agree or st["rat"][g, j] > st["rdt"][g, j]
    if agree:
        vals = (na[g, j], st["pa"], st["pat"], st["ra"], st["rat"])
    else:
        vals = (nd[g, j], st["pd"], st["pdt"], st["rd"], st["rdt"])
    n_succ, p, pt, r, rt = vals
    return {
        "statement": j,
        "direction": "agree" if agree else "disagree",
        "n_success": int(n_succ),
        "n_trials": int(ns[g, j]),
        "p": float(p[g, j]),
        "p_test": float(pt[g, j]),
        "repness": float(r[g, j]),
        "repness_test": float(rt[g, j]),
    }


def _best_agree(st, na, nd, g, cand):
    """Pol.is's beats-best-agr? scan, in statement order."""
    ra, rat, pa, pat = (st[k][g] for k in ("ra", "rat", "pa", "pat"))
    best = None
    for j in cand:
        if na[g, j] == 0 and nd[g, j] == 0:
            continue
        if best is None:
            ok = pat[j] > Z90 or (ra[j] > 1.0 and pa[j] > 0.5)
        elif ra[best] > 1.0:
            ok = ra[j] * rat[j] * pa[j] * pat[j] > ra[best] * rat[best] * pa[best] * pat[best]
        else:
            ok = pa[j] * pat[j] > pa[best] * pat[best]
        if ok:
            best = int(j)
    return best


def representative(st, na, nd, ns, g: int, allowed: np.ndarray, pick: int = 5) -> list[dict]:
    """Representative statements of group g (POLIS_MATH "Representative statements")."""
    cand = np.flatnonzero(allowed)
    if len(cand) == 0:
        return []
    sig_a = (st["rat"][g] > Z90) & (st["pat"][g] > Z90)
    sig_d = (st["rdt"][g] > Z90) & (st["pdt"][g] > Z90)
    sufficient = cand[(sig_a | sig_d)[cand]]
    best_agree = _best_agree(st, na, nd, g, cand)
    if len(sufficient) == 0:
        if best_agree is not None:
            return [_entry(st, na, nd, ns, g, best_agree, True)]
        score = np.maximum(st["rat"][g], st["rdt"][g])[cand]
        return [_entry(st, na, nd, ns, g, int(cand[int(np.argmax(score))]))]
    entries = [_entry(st, na, nd, ns, g, int(j)) for j in sufficient]
    metric = np.array([e["repness"] * e["repness_test"] * e["p"] * e["p_test"] for e in entries])
    entries = [entries[i] for i in np.argsort(-metric, kind="stable")]
    if best_agree is not None:
        entries = [_entry(st, na, nd, ns, g, best_agree, True)] + [e for e in entries if e["statement"] != best_agree]
    entries = entries[:pick]
    return [e for e in entries if e["direction"] == "agree"] + [e for e in entries if e["direction"] == "disagree"]


def consensus(na, nd, ns, allowed: np.ndarray, pick: int = 5) -> tuple[list[int], list[int]]:
    """Whole-conversation consensus: p > 0.5 and p-test > Z90, top `pick` by p * p-test."""
    out = []
    for n_succ in (na, nd):
        p = (n_succ + 1.0) / (ns + 2.0)
        pt = one_prop_z(n_succ, ns)
        ok = np.flatnonzero(allowed & (p > 0.5) & (pt > Z90))
        rank = np.argsort(-(p * pt)[ok], kind="stable")
        out.append([int(j) for j in ok[rank][:pick]])
    return out[0], out[1]


def group_informed_consensus(na, ns) -> np.ndarray:
    """GIC(c) = prod_g (A_g + 1) / (S_g + 2); 1.0 (empty product) with no groups."""
    return np.prod((np.asarray(na) + 1.0) / (np.asarray(ns) + 2.0), axis=0)


def priority(n_agree, n_pass, n_votes, extremity) -> np.ndarray:
    """Next-statement priority: (importance * (1 + 8 * 2^(-S/5)))^2."""
    s = np.asarray(n_votes, dtype=np.float64)
    p = (np.asarray(n_pass) + 1.0) / (s + 2.0)
    a = (np.asarray(n_agree) + 1.0) / (s + 2.0)
    importance = (1.0 - p) * (np.asarray(extremity) + 1.0) * a
    return (importance * (1.0 + 8.0 * np.exp2(-s / 5.0))) ** 2


SPLIT_GAP = 0.2  # groups split on a statement when their shares agreeing differ by >= 20 points ...
SPLIT_MIN_VOTES = 5  # ... between two groups that each cast at least 5 votes on it ...
# ... and the difference passes the two-proportion test at 90 % (Z90), as Pol.is's repness does.


def splits(na, ns, *, min_votes: int = SPLIT_MIN_VOTES, min_gap: float = SPLIT_GAP) -> tuple[np.ndarray, np.ndarray]:
    """(spread, split) per statement from (groups, statements) agree and vote counts (passes included).

    ``spread`` is the gap between the highest and the lowest share agreeing (agrees / votes, not
    smoothed) among the groups with at least ``min_votes`` votes on the statement; 0 when fewer than
    two groups have that many. ``split`` is True when that gap is at least ``min_gap`` and the
    two-proportion z-test (``two_prop_z``, +1 on all counts) between those two groups exceeds Z90.
    A statement every group agrees with (or rejects) alike never splits them, however the group
    sizes differ.
    """
    na = np.atleast_2d(np.asarray(na, dtype=np.float64))
    ns = np.atleast_2d(np.asarray(ns, dtype=np.float64))
    if na.shape != ns.shape:
        raise ValueError("agree and vote counts must have the same shape")
    n_s = na.shape[1]
    ok = ns >= max(1, min_votes)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(ok, na / np.where(ns > 0, ns, 1.0), np.nan)
    enough = ok.sum(0) >= 2
    spread = np.zeros(n_s)
    split = np.zeros(n_s, dtype=bool)
    if not enough.any():
        return spread, split
    cols = np.flatnonzero(enough)
    sub = share[:, cols]
    hi = np.nanargmax(sub, axis=0)
    lo = np.nanargmin(sub, axis=0)
    gap = sub[hi, np.arange(len(cols))] - sub[lo, np.arange(len(cols))]
    z = two_prop_z(na[hi, cols], ns[hi, cols], na[lo, cols], ns[lo, cols])
    spread[cols] = gap
    split[cols] = (gap >= min_gap - 1e-12) & (z > Z90)
    return spread, split
