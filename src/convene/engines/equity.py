"""Equity and representation measures for Convene & Connect.

"Diverse representation, equity of access to opportunities, everyone valued
and heard" becomes a handful of small, well-defined numbers:

* :func:`blau` and :func:`evenness` -- how diverse a group is;
* :func:`gini` and :func:`share_heard` -- how evenly voice is spread;
* :func:`composition_deviation` -- how far groups drift from the population;
* whatever of it is shown about people goes through the disclosure-control module
  (``engines/disclosure.py``, ``convene/privacy/disclosure.py``), not through this one.

Pure numpy on purpose (no Django): these functions are reused by reports,
the API and offline benchmarks, and must be testable in isolation.

Every measure returns a plain Python ``float`` and never NaN; degenerate
inputs (empty, all zero, a single category) have a documented defined value
instead of a division by zero. Invalid inputs (negative or non-finite
numbers, wrong shapes) raise ``ValueError``. See ``docs/equity.md``.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "Representation",
    "blau",
    "composition_deviation",
    "evenness",
    "gini",
    "representation",
    "share_heard",
]

#: Smallest number of people an aggregate cell may describe before it is shown.

K = TypeVar("K", bound=Hashable)


# --------------------------------------------------------------------------- helpers


def _as_counts(counts: ArrayLike | Mapping[Any, float], *, name: str = "counts") -> np.ndarray:
    """Validate a 1-D vector of non-negative finite numbers (a Mapping uses its values)."""
    if isinstance(counts, Mapping):
        counts = list(counts.values())
    try:
        arr = np.asarray(counts, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a sequence of numbers") from exc
    if arr.ndim == 0:
        raise ValueError(f"{name} must be a 1-D sequence, not a scalar")
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or infinity)")
    if np.any(arr < 0):
        raise ValueError(f"{name} must be non-negative")
    return arr


def _shares(arr: np.ndarray) -> np.ndarray | None:
    """Proportions of a validated count vector, or None when the total is zero.

    Dividing by the maximum first keeps huge counts from overflowing the sum,
    and makes the result exactly invariant to a common scale factor.
    """
    top = arr.max(initial=0.0)
    if top <= 0.0:
        return None
    scaled = arr / top
    return scaled / scaled.sum()


# --------------------------------------------------------------------------- diversity


def blau(counts: ArrayLike | Mapping[Any, float]) -> float:
    """Normalised Blau (Gini-Simpson) index of a category breakdown, in [0, 1].

    ``(1 - sum(p_k**2)) / (1 - 1/K)`` where ``p_k`` is the share of category
    ``k`` and **K = len(counts)** -- the full list of categories, including
    those with a zero count. An absent category therefore *lowers* the index:
    ``blau([5, 5]) == 1.0`` but ``blau([5, 5, 0]) == 0.75``. Pass the complete
    category list (see :func:`representation`) so absence is visible.

    Defined values: K <= 1 (a single category cannot be diverse), empty input
    and all-zero counts all give ``0.0``. Negative or non-finite counts raise
    ``ValueError``.
    """
    arr = _as_counts(counts)
    k = arr.size
    p = _shares(arr)
    if k <= 1 or p is None:
        return 0.0
    gini_simpson = 1.0 - float(np.dot(p, p))
    # * K / (K - 1) rather than / (1 - 1/K): avoids rounding 1/K first.
    return _clip01(gini_simpson * k / (k - 1))


def evenness(counts: ArrayLike | Mapping[Any, float]) -> float:
    """Shannon (Pielou) evenness ``H / ln K`` of a category breakdown, in [0, 1].

    ``H = -sum(p_k * ln p_k)`` with ``0 * ln 0 = 0``; K = len(counts), zero
    categories included (same convention as :func:`blau`).

    Defined values: K <= 1, empty input and all-zero counts give ``0.0``.
    """
    arr = _as_counts(counts)
    k = arr.size
    p = _shares(arr)
    if k <= 1 or p is None:
        return 0.0
    nz = p[p > 0]
    h = -float(np.dot(nz, np.log(nz)))
    return _clip01(h / math.log(k))


# --------------------------------------------------------------------------- voice


def gini(values: ArrayLike | Mapping[Any, float]) -> float:
    """Gini coefficient of non-negative contributions, in [0, (n-1)/n].

    ``G = sum_i sum_j |x_i - x_j| / (2 * n * sum(x))`` -- the plain population
    form, no small-sample correction, so one contributor among ``n`` gives
    exactly ``(n - 1) / n`` and equal shares give ``0``. Order does not matter.

    Members who were invited but contributed nothing must be included by the
    caller as zeros: silence is exactly what this is meant to show.

    Defined values: empty input, a single member and all zeros give ``0.0``.
    Negative or non-finite values raise ``ValueError``.
    """
    arr = _as_counts(values, name="values")
    n = arr.size
    if n <= 1:
        return 0.0
    top = arr.max()
    if top <= 0.0 or arr.min() == top:
        # All zero (nobody spoke) or all equal: no inequality; returned exactly
        # rather than via floating-point cancellation.
        return 0.0
    x = np.sort(arr / top)
    # Sorted identity for the double sum: sum|xi-xj| = 2 * sum_i (2i - n - 1) x_(i).
    coeff = 2.0 * np.arange(1, n + 1, dtype=float) - n - 1.0
    g = float(np.dot(coeff, x)) / (n * float(x.sum()))
    return float(min(max(g, 0.0), (n - 1) / n))


def share_heard(contributions: ArrayLike | Mapping[Any, float]) -> float:
    """Share of the invited who made at least one contribution, in [0, 1].

    ``contributions`` holds one count per invited member (zeros included);
    "heard" means a count greater than zero. Empty input gives ``0.0``.
    """
    arr = _as_counts(contributions, name="contributions")
    if arr.size == 0:
        return 0.0
    return float(np.count_nonzero(arr > 0)) / arr.size


# --------------------------------------------------------------------------- composition


def composition_deviation(group_counts: ArrayLike, population_counts: ArrayLike) -> float:
    """Largest gap between any group's category share and the population's, in [0, 1].

    ``group_counts`` is 2-D (groups x categories), ``population_counts`` 1-D
    (categories). Returns ``max over groups g, categories k of
    |share_g(k) - share_pop(k)|``. A value of 0 means every group mirrors the
    population; 0.2 means some group is 20 percentage points off somewhere.

    Groups with no members are skipped (they have no composition). Defined
    values: no groups, only empty groups, or an all-zero population give
    ``0.0``. Mismatched numbers of categories raise ``ValueError``.
    """
    pop = _as_counts(population_counts, name="population_counts")
    try:
        groups = np.asarray(group_counts, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError("group_counts must be a rectangular 2-D table of numbers") from exc
    if groups.size == 0:
        return 0.0
    if groups.ndim != 2:
        raise ValueError(f"group_counts must be 2-D (groups x categories), got {groups.shape}")
    if groups.shape[1] != pop.size:
        raise ValueError(f"group_counts has {groups.shape[1]} categories but population_counts has {pop.size}")
    if not np.all(np.isfinite(groups)) or np.any(groups < 0):
        raise ValueError("group_counts must be finite and non-negative")
    pop_share = _shares(pop)
    if pop_share is None:
        return 0.0
    worst = 0.0
    for row in groups:
        share = _shares(row)
        if share is None:
            continue
        worst = max(worst, float(np.max(np.abs(share - pop_share))))
    return _clip01(worst)


# --------------------------------------------------------------------------- representation


@dataclass(frozen=True, slots=True)
class Representation:
    """Counts per category plus the two diversity measures over them."""

    counts: dict[Any, int]
    total: int
    blau: float
    evenness: float


def representation(labels: Iterable[Hashable], categories: Sequence[Hashable] | None = None) -> Representation:
    """Count ``labels`` per category and compute :func:`blau` and :func:`evenness`.

    With ``categories`` given, every listed category is counted (zeros
    included, in the given order) so an absent category lowers both indices,
    and a label outside the list raises ``ValueError`` -- it usually means the
    category list is stale. Without ``categories``, only labels present are
    counted (in order of first appearance), so absence cannot be seen.
    """
    labels = list(labels)
    if categories is None:
        counts: dict[Any, int] = {}
        for label in labels:
            counts[label] = counts.get(label, 0) + 1
    else:
        counts = dict.fromkeys(categories, 0)
        if len(counts) != len(categories):
            raise ValueError("categories must not contain duplicates")
        for label in labels:
            if label not in counts:
                raise ValueError(f"label {label!r} is not one of the given categories")
            counts[label] += 1
    values = list(counts.values())
    return Representation(
        counts=counts,
        total=len(labels),
        blau=blau(values),
        evenness=evenness(values),
    )


def _clip01(x: float) -> float:
    # Guards against 1.0000000000000002-style rounding so documented bounds hold.
    return float(min(max(x, 0.0), 1.0))
