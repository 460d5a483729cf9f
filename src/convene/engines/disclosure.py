"""Statistical disclosure control for every figure about people. Pure: no Django.

Two protections, chosen by what a figure is about (``docs/privacy.md`` explains why):

**Perturbed counts** (:func:`protect_count`, :func:`protect_table`) -- for counts over a
population the viewer can choose or watch change: the room preview, insights filters and
months, anything about private (diversity) answers. This is the *cell-key method* used by
census table builders, with rounding:

1. The caller derives one **population key** from the whole population the table is about
   (a keyed hash of the sorted person ids and the surface). Adding or removing any one person
   gives a new key, so *every* cell of the table is perturbed afresh; asking again about the
   same population gives the same key and so the same figures (no averaging by repeating).
2. Each cell draws a small noise ``d`` in ``-2..+2`` from ``hash(key, cell)``.
3. ``n + d`` below the threshold (5) is shown as "fewer than 5"; otherwise it is rounded to
   the nearest multiple of 5 and shown as "about N".

So no shown figure is exact, a true 1-4 is never shown as such, a hidden cell cannot be solved
from the total and the other cells (they are all rounded), and the difference between two
populations that differ by one person is swamped by fresh noise in every cell.

**Small-group merging** (:func:`merge_small_groups`) -- for exact figures about named groups of
people (communities or opinion groups of an anonymous response, endorsement by community).
Groups under the threshold are never described alone: they are merged into one "other" group,
and if that merged group would itself be under the threshold, or would be the only hidden group
next to a shown total, the next-smallest groups join it (complementary suppression). The merged
group is described only when it reaches the threshold, and never by the names of its members.

Derived figures (percentages, diversity indices) are computed only from protected figures
(:func:`share`, :func:`diversity_band`), so they cannot reveal more than the figures themselves.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

__all__ = [
    "BASE",
    "NOISE",
    "THRESHOLD",
    "Figure",
    "Merge",
    "cell_noise",
    "diversity_band",
    "exact",
    "hidden",
    "merge_small_groups",
    "protect_count",
    "protect_table",
    "share",
]

THRESHOLD = 5
BASE = 5
NOISE = (-2, -1, 0, 1, 2)

SMALL = "small"
COMPLEMENT = "complement"

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure about people as it may be shown.

    ``value`` is ``None`` when the figure is hidden; ``approximate`` says it was perturbed and
    rounded (pages write "about N"); ``reason`` says why a hidden figure is hidden.
    """

    value: int | None
    approximate: bool = False
    reason: str = ""
    threshold: int = THRESHOLD
    unit: str = ""

    @property
    def hidden(self) -> bool:
        return self.value is None

    @property
    def shown(self) -> bool:
        return self.value is not None

    def __str__(self) -> str:
        if self.value is None:
            return f"fewer than {self.threshold}" if self.reason == SMALL and not self.unit else "hidden"
        text = f"{self.value}{self.unit}"
        return f"about {text}" if self.approximate else text

    @property
    def short(self) -> str:
        """Compact form for table cells and CSV: ``< 5``, ``~10``, ``10``, ``-``, ``hidden``.

        A hidden share or rate reads ``hidden``: ``< 5`` beside a percentage would read as
        "under 5 %", which says something the figure does not.
        """
        if self.value is None:
            if self.unit:
                return "hidden"
            return f"< {self.threshold}" if self.reason == SMALL else "-"
        text = f"{self.value}{self.unit}"
        return f"~{text}" if self.approximate else text

    def api(self) -> int | None:
        """The value for JSON (``None`` when hidden)."""
        return self.value


def hidden(reason: str = SMALL, threshold: int = THRESHOLD, unit: str = "") -> Figure:
    return Figure(None, reason=reason, threshold=threshold, unit=unit)


def exact(n: int, threshold: int = THRESHOLD) -> Figure:
    """An exact head count, hidden below the threshold (for groups whose size is not private)."""
    n = _head_count(n)
    return hidden(SMALL, threshold) if n < threshold else Figure(n, threshold=threshold)


def _head_count(n: object) -> int:
    if isinstance(n, bool):
        raise ValueError("a head count must be an integer, not a bool")
    if not isinstance(n, int):
        try:
            as_int = int(n)  # numpy integers
        except (TypeError, ValueError):
            raise ValueError(f"a head count must be an integer, got {n!r}") from None
        if as_int != n:
            raise ValueError(f"a head count must be a whole number, got {n!r}")
        n = as_int
    if n < 0:
        raise ValueError(f"a head count must be non-negative, got {n!r}")
    return int(n)


def cell_noise(key: bytes, cell: str) -> int:
    """The noise of one cell: a value of :data:`NOISE` drawn from ``hash(key, cell)``.

    Deterministic: the same population key and cell always draw the same noise.
    """
    digest = hashlib.blake2b(cell.encode("utf-8"), key=key[:64], digest_size=8).digest()
    return NOISE[int.from_bytes(digest, "big") % len(NOISE)]


def protect_count(n: int, *, key: bytes, cell: str, threshold: int = THRESHOLD, base: int = BASE) -> Figure:
    """A perturbed, rounded head count (see the module docstring)."""
    n = _head_count(n)
    noisy = n + cell_noise(key, cell)
    if noisy < threshold:
        return hidden(SMALL, threshold)
    rounded = base * math.floor(noisy / base + 0.5)
    return Figure(max(rounded, base * math.ceil(threshold / base)), approximate=True, threshold=threshold)


def protect_table(
    cells: Mapping[str, int], *, key: bytes, total: int | None = None, threshold: int = THRESHOLD
) -> tuple[dict[str, Figure], Figure | None]:
    """Every cell of one breakdown and (optionally) its total, each perturbed on its own.

    The total is perturbed as its own cell, not summed from the shown cells, so the difference
    between the total and the shown cells bounds a hidden cell only loosely (every term is off
    by up to 2 before rounding to 5).
    """
    shown = {label: protect_count(n, key=key, cell=f"cell:{label}", threshold=threshold) for label, n in cells.items()}
    protected_total = None if total is None else protect_count(total, key=key, cell="total", threshold=threshold)
    return shown, protected_total


def share(part: Figure, whole: Figure, *, step: int = 5) -> Figure:
    """``part / whole`` as a percentage rounded to ``step``, from protected figures only.

    Hidden when either is hidden or the whole is zero.
    """
    if part.value is None or whole.value is None or whole.value <= 0:
        return hidden(part.reason or whole.reason or SMALL, whole.threshold, unit="%")
    percent = 100.0 * min(part.value, whole.value) / whole.value
    rounded = int(step * math.floor(percent / step + 0.5))
    return Figure(rounded, approximate=part.approximate or whole.approximate, threshold=whole.threshold, unit="%")


BANDS = ((0.2, "one-sided"), (0.45, "some variety"), (math.inf, "varied"))


def diversity_band(figures: Sequence[Figure]) -> str | None:
    """A coarse band of the Blau index over the shown cells, or ``None`` if too few are shown.

    Computed from protected figures, so the band reveals nothing the figures do not. Hidden
    cells count as empty: the band describes the groups of at least the threshold, which is
    what a coordinator needs to see a one-sided room.
    """
    values = [f.value for f in figures if f.value is not None and f.value > 0]
    if len(values) < 1 or sum(values) < THRESHOLD:
        return None
    total = float(sum(values))
    blau = 1.0 - sum((v / total) ** 2 for v in values)
    for upper, label in BANDS:
        if blau < upper:
            return label
    return BANDS[-1][1]  # pragma: no cover - the last band is unbounded


@dataclass(frozen=True, slots=True)
class Merge:
    """The result of :func:`merge_small_groups`."""

    shown: tuple  # group keys described on their own, in input order
    merged: tuple  # group keys folded into one "other" group, in input order
    merged_size: int  # people in the merged group
    merged_shown: bool  # whether the merged group reaches the threshold and may be described

    def is_shown(self, key) -> bool:
        return key in self.shown


def merge_small_groups(sizes: Mapping[K, int], *, threshold: int = THRESHOLD) -> Merge:
    """Which groups may be described alone, and which are folded into one "other" group.

    Primary: every group under ``threshold``. Complementary: while the folded group is itself
    under the threshold (so describing it, or subtracting the shown groups from the total, would
    describe fewer than ``threshold`` people), the next-smallest shown group joins it (ties in
    input order). A folded group that never reaches the threshold is not described at all.
    """
    values = {key: _head_count(n) for key, n in sizes.items()}
    order = list(values)
    merged = {key for key in order if values[key] < threshold}
    if merged:
        while sum(values[k] for k in merged) < threshold and len(merged) < len(order):
            candidates = [(values[k], i, k) for i, k in enumerate(order) if k not in merged]
            merged.add(min(candidates, key=lambda t: (t[0], t[1]))[2])
    merged_size = sum(values[k] for k in merged)
    return Merge(
        shown=tuple(k for k in order if k not in merged),
        merged=tuple(k for k in order if k in merged),
        merged_size=merged_size,
        merged_shown=bool(merged) and merged_size >= threshold,
    )
