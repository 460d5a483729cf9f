"""Deterministic k-means for Pol.is's two-level clustering.

Base clusters: k-means (k <= 100) on the included participants' 2-D positions.
Opinion groups: weighted k-means on the base-cluster centres for k = 2..5,
chosen by silhouette over the base clusters (<= 100 points, so it is cheap;
red-dwarf spends half its time on a silhouette over all participants).
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from .opinion_threads import WORKERS

_CHUNK = 1 << 16  # rows per distance block: bounds memory at ~50 MB for k = 100
_SAMPLE = 5_000  # above this many participants, base k-means runs on a sample


def _nearest(x: np.ndarray, centers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of and squared distance to the nearest centre.

    Many centres (base clusters): a k-d tree over the centres, exact and several times
    faster than the n x k distance matrix, on two threads for large inputs. Few centres
    (opinion groups): the distance matrix |x|^2 - 2 x.c + |c|^2 in row blocks.
    """
    n = len(x)
    if len(centers) >= 8:
        dist, lab = cKDTree(centers).query(x, workers=WORKERS if n >= 50_000 else 1)
        return lab.astype(np.int64, copy=False), dist * dist
    lab = np.empty(n, dtype=np.int64)
    out = np.empty(n)
    aug = np.vstack([-2.0 * centers.T, (centers**2).sum(1)[None, :]])
    for a in range(0, n, _CHUNK):
        xb = x[a : a + _CHUNK]
        d = xb @ aug[:-1] + aug[-1]
        j = d.argmin(1)
        lab[a : a + _CHUNK] = j
        out[a : a + _CHUNK] = np.maximum(d[np.arange(len(j)), j] + (xb**2).sum(1), 0.0)
    return lab, out


def _plusplus(x: np.ndarray, w: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Weighted k-means++ seeding (D^2 sampling), O(n k)."""
    n = len(x)
    first = int(rng.choice(n, p=w / w.sum()))
    centers = [x[first]]
    d2 = ((x - x[first]) ** 2).sum(1)
    for _ in range(1, k):
        mass = d2 * w
        total = mass.sum()
        if total <= 0:  # fewer distinct points than k: any point will do
            idx = int(rng.integers(n))
        else:
            idx = int(np.searchsorted(np.cumsum(mass), rng.random() * total, side="right"))
            idx = min(idx, n - 1)
        centers.append(x[idx])
        d2 = np.minimum(d2, ((x - x[idx]) ** 2).sum(1))
    return np.array(centers)


def kmeans(
    x: np.ndarray,
    k: int,
    *,
    weights: np.ndarray | None = None,
    rng: np.random.Generator,
    n_init: int = 1,
    max_iter: int = 100,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Lloyd's algorithm from k-means++ seeds; best of n_init by weighted inertia."""
    w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=np.float64)
    best = None
    for _ in range(n_init):
        centers = _plusplus(x, w, k, rng)
        lab = None
        for _ in range(max_iter):
            new_lab, _ = _nearest(x, centers)
            if lab is not None and np.array_equal(new_lab, lab):
                break
            lab = new_lab
            mass = np.bincount(lab, weights=w, minlength=k)
            sx = np.bincount(lab, weights=w * x[:, 0], minlength=k)
            sy = np.bincount(lab, weights=w * x[:, 1], minlength=k)
            keep = mass > 0  # an emptied centre stays where it was
            centers = centers.copy()
            centers[keep, 0] = sx[keep] / mass[keep]
            centers[keep, 1] = sy[keep] / mass[keep]
        lab, d2 = _nearest(x, centers)
        inertia = float((d2 * w).sum())
        if best is None or inertia < best[2] - 1e-12 * max(abs(best[2]), 1.0):
            best = (centers, lab, inertia)
    return best


def refine_groups(x: np.ndarray, labels: np.ndarray, k: int, max_iter: int = 50) -> np.ndarray:
    """Lloyd iterations on the points, starting from the given partition's centres."""
    r, _ = canonical(x)
    lab = labels
    for _ in range(max_iter):
        mass = np.bincount(lab, minlength=k)
        if np.any(mass == 0):
            break
        centers = np.column_stack([np.bincount(lab, weights=r[:, i], minlength=k) / mass for i in (0, 1)])
        new, _ = _nearest(r, centers)
        if np.array_equal(new, lab):
            break
        lab = new
    return lab if len(np.unique(lab)) == k else labels


def silhouette(x: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette (Euclidean); singleton clusters score 0 as in sklearn."""
    uniq = np.unique(labels)
    if len(uniq) < 2 or len(uniq) >= len(x):
        return -1.0
    dist = np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(-1))
    onehot = labels[:, None] == uniq[None, :]
    size = onehot.sum(0)
    mean_to = dist @ onehot / np.maximum(size, 1)
    own = np.searchsorted(uniq, labels)
    own_size = size[own]
    a = dist @ onehot
    a = a[np.arange(len(x)), own] / np.maximum(own_size - 1, 1)
    mean_to[np.arange(len(x)), own] = np.inf
    b = mean_to.min(1)
    s = np.where(own_size > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-300), 0.0)
    return float(s.mean())


def canonical(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rounded positions and a canonical order (lexicographic on them).

    Rounding removes last-bit noise from summation order, and the canonical
    order makes seeding independent of how participants were numbered.
    """
    scale = float(np.abs(xy).max(initial=0.0)) or 1.0
    step = scale * 1e-10
    r = np.round(xy / step) * step
    order = np.lexsort((r[:, 1], r[:, 0]))
    return r, order


def base_clusters(
    xy: np.ndarray, rng: np.random.Generator, k_max: int = 100, max_iter: int = 20
) -> tuple[np.ndarray, np.ndarray]:
    """(centres, label per row of xy). Exact when there are <= k_max distinct points."""
    r, order = canonical(xy)
    rs = r[order]
    distinct = np.r_[True, np.any(rs[1:] != rs[:-1], axis=1)] if len(rs) else np.zeros(0, bool)
    n_distinct = int(distinct.sum())
    lab_sorted = np.empty(len(rs), dtype=np.int64)
    if n_distinct <= k_max:
        lab_sorted = np.cumsum(distinct) - 1
        centers = rs[distinct]
    elif len(rs) > _SAMPLE:
        # Large conversations: Lloyd on a deterministic sample (in canonical
        # order, so relabelling-invariant), then two full passes to assign
        # everyone and re-centre. Distances dominate the cost at 1M points.
        pick = np.sort(rng.choice(len(rs), _SAMPLE, replace=False))
        centers, _, _ = kmeans(rs[pick], k_max, rng=rng, max_iter=max_iter)
        for _ in range(2):
            lab_sorted, _ = _nearest(rs, centers)
            mass = np.bincount(lab_sorted, minlength=len(centers))
            keep = mass > 0
            for i in (0, 1):
                sums = np.bincount(lab_sorted, weights=rs[:, i], minlength=len(centers))
                centers[keep, i] = sums[keep] / mass[keep]
        lab_sorted, _ = _nearest(rs, centers)
        used = np.unique(lab_sorted)
        centers = centers[used]
        lab_sorted = np.searchsorted(used, lab_sorted)
    else:
        centers, lab_sorted, _ = kmeans(rs, k_max, rng=rng, max_iter=max_iter)
        used = np.unique(lab_sorted)  # drop centres that ended up empty
        centers = centers[used]
        lab_sorted = np.searchsorted(used, lab_sorted)
    labels = np.empty(len(xy), dtype=np.int64)
    labels[order] = lab_sorted
    return centers, labels


def group_clusters(
    centers: np.ndarray,
    sizes: np.ndarray,
    rng: np.random.Generator,
    k: int | None = None,
    n_init: int = 10,
) -> tuple[np.ndarray, int, float]:
    """Label per base cluster, chosen k and its silhouette (nan-free: -1 if undefined)."""
    m = len(centers)
    if m == 0:
        return np.zeros(0, np.int64), 0, -1.0
    if k is not None:
        ks = [max(1, min(int(k), m))]
    else:
        k_hi = min(5, 2 + m // 12, m)
        ks = list(range(2, k_hi + 1)) or [1]
    best = None
    for kk in ks:
        if kk == 1:
            lab, score = np.zeros(m, np.int64), -1.0
        else:
            _, lab, _ = kmeans(centers, kk, weights=sizes, rng=rng, n_init=n_init)
            score = silhouette(centers, lab)
        if best is None or score > best[2] + 1e-12:
            best = (lab, kk, score)
    lab, kk, score = best
    # Number groups by size (largest first), ties by centre, so ids are stable.
    uniq = np.unique(lab)
    mass = np.array([sizes[lab == g].sum() for g in uniq])
    cx = np.array([np.average(centers[lab == g, 0], weights=sizes[lab == g]) for g in uniq])
    cy = np.array([np.average(centers[lab == g, 1], weights=sizes[lab == g]) for g in uniq])
    rank = np.lexsort((np.round(cy, 9), np.round(cx, 9), -mass))
    new_id = np.empty(len(uniq), np.int64)
    new_id[rank] = np.arange(len(uniq))
    return new_id[np.searchsorted(uniq, lab)], len(uniq), score
