"""Diverse breakout groups by anticlustering.

A coordinator splits a session's attendees into ``k`` breakout groups that
each mix communities, disciplines and seniority as evenly as possible.  This
is *anticlustering* (Papenberg & Klau 2021, the R package ``anticlust``): the
opposite of clustering, each group should look like a small copy of the whole
room.

Objective ("diversity")
    Every person ``i`` is encoded as a feature vector ``x_i`` (below).  The
    objective is the sum, over all groups, of the squared Euclidean distances
    between every unordered pair of members::

        D(P) = sum_g  sum_{i<j in g} ||x_i - x_j||^2
             = sum_g  (n_g * Q_g - ||S_g||^2)

    where ``S_g`` is the sum of the members' vectors and ``Q_g`` the sum of
    their squared norms.  Larger is better.  With fixed group sizes,
    maximising it is the same as making the group centroids as close to the
    overall centroid as possible (the k-means criterion, reversed).

Feature encoding
    * categorical attribute with weight ``w``: one-hot, scaled by ``sqrt(w)``,
      so two people with different values are ``2w`` apart; a *missing*
      value (``None``, ``""`` or NaN) is the zero vector, ``w`` away from every
      known value and ``0`` from other missing ones (it is not a category
      of its own and is not spread on purpose);
    * numeric attribute with weight ``w``: standardised (population mean and
      standard deviation over the known values), scaled by ``sqrt(w)``, so
      the mean squared distance between two people is ``2w`` (as for a
      categorical attribute whose values are all distinct); a missing value
      is imputed with the mean (z = 0); a constant column contributes nothing.

Method
    Local-maximum exchange (anticlust's ``method = "local-maximum"``): start
    from a random assignment that satisfies every constraint, then visit each
    person (unit) in turn, evaluate *every* admissible swap partner at once
    and carry out the best swap if it improves the objective; repeat passes
    until a whole pass changes nothing.  The swap gain is ``O(d)`` per
    candidate from per-group feature sums ``S_g`` and sums of squared norms
    ``Q_g`` and is vectorised with numpy over all candidates (one
    matrix-vector product per person).  Several seeded restarts, best kept.
    Instances of at most :data:`EXACT_MAX_PEOPLE` people are solved exactly by
    enumerating all constrained partitions.

Constraints
    * ``n_groups`` or ``group_size`` (groups of at most ``group_size``,
      ``ceil(n / group_size)`` groups) or ``min_size``/``max_size``; sizes are
      as equal as possible (differ by at most one) unless must-together sets
      force otherwise within ``[min_size, max_size]``;
    * facilitators are spread as evenly as possible: every group gets
      ``floor(f/k)`` or ``ceil(f/k)`` of them, so at most one per group when
      there are no more facilitators than groups.  ``strict_facilitators=True``
      demands at most one per group and fails when ``f > k``.  Facilitators
      only ever swap with facilitators (anticlust's categorical constraint);
    * must-together pairs are merged (transitively) into units that move
      together and only swap with units of the same size and facilitator
      count;
    * must-separate pairs: any swap that would put a pair in one group is
      refused.

Infeasible constraints raise :class:`GroupingError` naming the constraint.
Everything is deterministic for a given ``seed``.  Pure numpy; no Django.
"""

from __future__ import annotations

import math
import numbers
import time
from collections.abc import Collection, Hashable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

__all__ = [
    "EXACT_MAX_PEOPLE",
    "MISSING",
    "Attribute",
    "GroupComposition",
    "Grouping",
    "GroupingError",
    "MoveResult",
    "Problem",
    "compose",
    "evaluate",
    "form_groups",
    "prepare",
    "score_move",
    "score_swap",
    "solve",
    "violations",
]

#: Label under which missing categorical values are counted in compositions.
MISSING = "(missing)"
#: Instances with at most this many people are solved by exhaustive enumeration.
EXACT_MAX_PEOPLE = 12
#: Give up exhaustive enumeration (and use the heuristic) past this many partial states.
_EXACT_MAX_STATES = 400_000
#: a swap must gain more than this fraction of the mean squared distance between two people
_MIN_GAIN = 1e-9
#: units whose candidate gains are computed in one matrix product
_BATCH = 8

Kind = Literal["categorical", "numeric"]


class GroupingError(ValueError):
    """Bad input or infeasible constraints; the message names the constraint."""


@dataclass(frozen=True)
class Attribute:
    name: str
    kind: Kind
    weight: float = 1.0


@dataclass(frozen=True)
class GroupComposition:
    """What one group looks like."""

    index: int
    members: tuple[Hashable, ...]
    size: int
    facilitators: int
    #: attribute -> {value: count}; missing values are counted under :data:`MISSING`.
    categorical: dict[str, dict[str, int]]
    #: attribute -> mean of the known values (``None`` when no member has one).
    numeric: dict[str, float | None]


@dataclass(frozen=True, eq=False)
class Problem:
    """A validated, encoded instance (people, features, constraints)."""

    ids: tuple[Hashable, ...]
    attributes: tuple[Attribute, ...]
    #: raw values per attribute (missing normalised to ``None``), aligned with ``ids``
    values: dict[str, tuple[Any, ...]]
    #: n x d centred feature matrix; squared Euclidean distance is the dissimilarity
    features: np.ndarray
    n_groups: int
    min_size: int
    max_size: int
    #: indices of facilitators
    facilitators: frozenset[int]
    #: facilitators per group must lie in [fac_min, fac_max]
    fac_min: int
    fac_max: int
    #: must-separate pairs as index pairs (i < j)
    separate: tuple[tuple[int, int], ...]
    #: must-together units (index tuples, sorted), singletons included
    units: tuple[tuple[int, ...], ...]
    #: unit number of every person
    unit_of: np.ndarray = field(repr=False)

    @property
    def n(self) -> int:
        return len(self.ids)

    def index(self, person: Hashable) -> int:
        try:
            return self._index[person]
        except KeyError:
            raise GroupingError(f"unknown person {person!r}") from None

    @property
    def _index(self) -> dict[Hashable, int]:
        cached = self.__dict__.get("_index_cache")
        if cached is None:
            cached = {p: i for i, p in enumerate(self.ids)}
            object.__setattr__(self, "_index_cache", cached)
        return cached


@dataclass(frozen=True, eq=False)
class Grouping:
    """The result of :func:`form_groups` / :func:`solve`."""

    assignment: dict[Hashable, int]
    groups: list[list[Hashable]]
    objective: float
    compositions: list[GroupComposition]
    seconds: float
    seed: int
    #: objective reached by each restart (one entry when solved exactly)
    restart_objectives: tuple[float, ...]
    #: True when the optimum was proven by exhaustive enumeration
    exact: bool
    problem: Problem = field(repr=False)


@dataclass(frozen=True)
class MoveResult:
    """Effect of a manual move or swap."""

    objective: float
    delta: float
    #: human-readable descriptions of every constraint the new assignment violates
    violations: tuple[str, ...]
    #: the assignment after the move
    assignment: dict[Hashable, int] = field(repr=False)

    @property
    def ok(self) -> bool:
        return not self.violations


# --------------------------------------------------------------------------- encoding


def _is_missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return v.strip() == ""
    if isinstance(v, numbers.Real) and not isinstance(v, bool):
        return math.isnan(float(v))
    return False


def _is_number(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _encode(
    n: int,
    attributes: Mapping[str, Sequence[Any]],
    kinds: Mapping[str, str] | None,
    weights: Mapping[str, float] | None,
) -> tuple[tuple[Attribute, ...], dict[str, tuple[Any, ...]], np.ndarray]:
    kinds = dict(kinds or {})
    weights = dict(weights or {})
    for name in list(kinds) + list(weights):
        if name not in attributes:
            raise GroupingError(f"kinds/weights name an unknown attribute {name!r}")
    attrs: list[Attribute] = []
    values: dict[str, tuple[Any, ...]] = {}
    blocks: list[np.ndarray] = []
    for name, column in attributes.items():
        column = list(column)
        if len(column) != n:
            raise GroupingError(f"attribute {name!r} has {len(column)} values for {n} people")
        col = [None if _is_missing(v) else v for v in column]
        known = [v for v in col if v is not None]
        kind = kinds.get(name)
        if kind is None:
            kind = "numeric" if known and all(_is_number(v) for v in known) else "categorical"
        if kind not in ("categorical", "numeric"):
            raise GroupingError(f"attribute {name!r}: kind must be categorical or numeric")
        w = float(weights.get(name, 1.0))
        if not math.isfinite(w) or w < 0:
            raise GroupingError(f"attribute {name!r}: weight must be a finite number >= 0")
        attrs.append(Attribute(name, kind, w))  # type: ignore[arg-type]
        if kind == "numeric":
            try:
                num = np.array([np.nan if v is None else float(v) for v in col], dtype=float)
            except (TypeError, ValueError):
                raise GroupingError(f"numeric attribute {name!r} has a non-numeric value") from None
            if np.isinf(num).any():
                raise GroupingError(f"numeric attribute {name!r} has an infinite value")
            values[name] = tuple(None if np.isnan(x) else float(x) for x in num)
            ok = ~np.isnan(num)
            z = np.zeros(n)
            if ok.any():
                mu = num[ok].mean()
                sd = num[ok].std()
                if sd > 0:
                    z[ok] = (num[ok] - mu) / sd
            blocks.append((math.sqrt(w) * z)[:, None])
        else:
            labels = [None if v is None else str(v) for v in col]
            values[name] = tuple(labels)
            cats = sorted({v for v in labels if v is not None})
            pos = {c: j for j, c in enumerate(cats)}
            onehot = np.zeros((n, len(cats)))
            for i, v in enumerate(labels):
                if v is not None:
                    onehot[i, pos[v]] = 1.0
            blocks.append(math.sqrt(w) * onehot)
    x = np.hstack(blocks) if blocks else np.zeros((n, 0))
    x = x[:, np.any(x != 0, axis=0)] if x.shape[1] else x
    if x.shape[1]:
        x = x - x.mean(axis=0)  # distances are translation invariant; centring helps precision
    return tuple(attrs), values, np.ascontiguousarray(x, dtype=float)


# --------------------------------------------------------------------------- prepare


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, a: int) -> int:
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _pairs(name: str, pairs: Sequence[Sequence[Hashable]], index: Mapping[Hashable, int]) -> list[list[int]]:
    out = []
    for pair in pairs:
        members = list(pair)
        if len(members) < 2:
            raise GroupingError(f"{name} constraint {tuple(members)!r} needs at least two people")
        idx = []
        for p in members:
            if p not in index:
                raise GroupingError(f"{name} constraint names unknown person {p!r}")
            idx.append(index[p])
        out.append(idx)
    return out


def prepare(
    people_ids: Sequence[Hashable],
    attributes: Mapping[str, Sequence[Any]],
    *,
    kinds: Mapping[str, str] | None = None,
    weights: Mapping[str, float] | None = None,
    n_groups: int | None = None,
    group_size: int | None = None,
    min_size: int | None = None,
    max_size: int | None = None,
    facilitators: Collection[Hashable] = (),
    strict_facilitators: bool = False,
    separate: Sequence[Sequence[Hashable]] = (),
    together: Sequence[Sequence[Hashable]] = (),
) -> Problem:
    """Validate and encode an instance; raises :class:`GroupingError` when infeasible."""
    ids = tuple(people_ids)
    index = _index_of(ids)
    n = len(ids)
    attrs, values, x = _encode(n, attributes, kinds, weights)
    k, lo, hi = _group_bounds(n, n_groups, group_size, min_size, max_size)
    units, unit_of = _together_units(n, together, index)
    sep = _separate_pairs(ids, separate, index, units, unit_of)
    for members in units:
        if len(members) > hi:
            raise GroupingError(
                f"must-together set {_names(ids, members)} has {len(members)} people, but groups hold at most {hi}"
            )
    if sep and k == 1:
        a, b = min(sep)
        raise GroupingError(f"must-separate pair ({ids[a]!r}, {ids[b]!r}) cannot be kept apart with only one group")
    fac, fac_min, fac_max = _facilitators(ids, facilitators, index, units, k, strict_facilitators)
    return Problem(
        ids=ids,
        attributes=attrs,
        values=values,
        features=x,
        n_groups=k,
        min_size=lo,
        max_size=hi,
        facilitators=frozenset(fac),
        fac_min=fac_min,
        fac_max=fac_max,
        separate=tuple(sorted(sep)),
        units=units,
        unit_of=unit_of,
    )


def _index_of(ids: tuple[Hashable, ...]) -> dict[Hashable, int]:
    """Position of each person; there must be someone, and no one twice."""
    if not ids:
        raise GroupingError("no people to group")
    index: dict[Hashable, int] = {}
    for i, p in enumerate(ids):
        if p in index:
            raise GroupingError(f"person {p!r} appears twice")
        index[p] = i
    return index


def _group_bounds(
    n: int, n_groups: int | None, group_size: int | None, min_size: int | None, max_size: int | None
) -> tuple[int, int, int]:
    """(number of groups, smallest size, largest size) from whichever of the four the caller gave."""
    for label, v in (
        ("n_groups", n_groups),
        ("group_size", group_size),
        ("min_size", min_size),
        ("max_size", max_size),
    ):
        if v is not None and (isinstance(v, bool) or not isinstance(v, numbers.Integral)):
            raise GroupingError(f"{label} must be an integer")
    if n_groups is not None and group_size is not None:
        raise GroupingError("give either n_groups or group_size, not both")
    if group_size is not None:
        if group_size < 1:
            raise GroupingError(f"group_size must be at least 1 (got {group_size})")
        n_groups = -(-n // group_size)
        max_size = group_size if max_size is None else min(max_size, group_size)
    if min_size is not None and min_size < 0:
        raise GroupingError(f"min_size must be at least 0 (got {min_size})")
    if max_size is not None and max_size < 1:
        raise GroupingError(f"max_size must be at least 1 (got {max_size})")
    if min_size is not None and max_size is not None and min_size > max_size:
        raise GroupingError(f"min_size {min_size} is larger than max_size {max_size}")
    if n_groups is None:
        n_groups = _fewest_groups(n, min_size, max_size)
    k = int(n_groups)
    if k < 1 or k > n:
        raise GroupingError(f"number of groups must be between 1 and {n} (got {k})")
    lo = n // k if min_size is None else int(min_size)
    hi = -(-n // k) if max_size is None else int(max_size)
    if k * hi < n or k * lo > n:
        raise GroupingError(
            f"group sizes cannot hold everyone: {k} groups of {lo}..{hi} people hold "
            f"{k * lo}..{k * hi} people, but there are {n}"
        )
    return k, lo, hi


def _fewest_groups(n: int, min_size: int | None, max_size: int | None) -> int:
    """The fewest groups of min_size..max_size people that hold exactly n people."""
    if max_size is None:
        raise GroupingError("give n_groups, group_size or max_size")
    lo_k = -(-n // max_size)
    hi_k = n // min_size if min_size else n
    if lo_k > hi_k:
        raise GroupingError(
            f"group sizes cannot hold everyone: no number of groups of "
            f"{min_size}..{max_size} people holds exactly {n} people"
        )
    return lo_k


def _together_units(
    n: int, together: Sequence[Sequence[Hashable]], index: Mapping[Hashable, int]
) -> tuple[tuple[tuple[int, ...], ...], np.ndarray]:
    """Must-together sets merged transitively into units (singletons included), and each person's unit."""
    uf = _UnionFind(n)
    for idx in _pairs("must-together", together, index):
        for b in idx[1:]:
            uf.union(idx[0], b)
    roots: dict[int, list[int]] = {}
    for i in range(n):
        roots.setdefault(uf.find(i), []).append(i)
    units = tuple(tuple(m) for m in sorted(roots.values(), key=lambda m: m[0]))
    unit_of = np.empty(n, dtype=np.intp)
    for u, members in enumerate(units):
        unit_of[list(members)] = u
    return units, unit_of


def _separate_pairs(
    ids: tuple[Hashable, ...],
    separate: Sequence[Sequence[Hashable]],
    index: Mapping[Hashable, int],
    units: tuple[tuple[int, ...], ...],
    unit_of: np.ndarray,
) -> set[tuple[int, int]]:
    """Must-separate pairs as (lower, higher) positions; none may join one person or one unit."""
    sep: set[tuple[int, int]] = set()
    for idx in _pairs("must-separate", separate, index):
        for a_pos, a in enumerate(idx):
            for b in idx[a_pos + 1 :]:
                if a == b:
                    raise GroupingError(f"must-separate pair ({ids[a]!r}, {ids[b]!r}) names the same person twice")
                if unit_of[a] == unit_of[b]:
                    raise GroupingError(
                        f"must-separate pair ({ids[a]!r}, {ids[b]!r}) contradicts must-together: "
                        f"they are joined in the together-set {_names(ids, units[unit_of[a]])}"
                    )
                sep.add((min(a, b), max(a, b)))
    return sep


def _facilitators(
    ids: tuple[Hashable, ...],
    facilitators: Collection[Hashable],
    index: Mapping[Hashable, int],
    units: tuple[tuple[int, ...], ...],
    k: int,
    strict: bool,
) -> tuple[set[int], int, int]:
    """Facilitators' positions and the fewest and most of them a group may have."""
    fac: set[int] = set()
    for p in facilitators:
        if p not in index:
            raise GroupingError(f"facilitator {p!r} is not among the people")
        fac.add(index[p])
    f = len(fac)
    if strict and f > k:
        raise GroupingError(
            f"strict facilitator spreading allows at most one facilitator per group, "
            f"but there are {f} facilitators for {k} groups"
        )
    fac_min, fac_max = f // k, -(-f // k)
    for members in units:
        c = sum(1 for i in members if i in fac)
        if c > fac_max:
            raise GroupingError(
                f"must-together set {_names(ids, members)} holds {c} facilitators, but "
                f"facilitators are spread at most {fac_max} per group"
            )
    return fac, fac_min, fac_max


def _names(ids: Sequence[Hashable], members: Sequence[int]) -> str:
    return "{" + ", ".join(repr(ids[i]) for i in members) + "}"


# --------------------------------------------------------------------------- objective & checks


def _labels(problem: Problem, assignment: Mapping[Hashable, int]) -> np.ndarray:
    a = np.empty(problem.n, dtype=np.intp)
    seen = 0
    for p, g in assignment.items():
        i = problem.index(p)
        if isinstance(g, bool) or not isinstance(g, numbers.Integral):
            raise GroupingError(f"group of {p!r} must be an integer")
        if not 0 <= g < problem.n_groups:
            raise GroupingError(f"group {g} of {p!r} is out of range 0..{problem.n_groups - 1}")
        a[i] = g
        seen += 1
    if seen != problem.n:
        missing = [p for p in problem.ids if p not in assignment]
        raise GroupingError(f"assignment leaves out {missing[:5]!r}")
    return a


def _objective(x: np.ndarray, a: np.ndarray, k: int) -> float:
    """sum_g (n_g Q_g - |S_g|^2), the within-group sum of pairwise squared distances."""
    if x.shape[1] == 0:
        return 0.0
    cnt = np.bincount(a, minlength=k).astype(float)
    q = np.bincount(a, weights=np.einsum("ij,ij->i", x, x), minlength=k)
    s = np.zeros((k, x.shape[1]))
    np.add.at(s, a, x)
    return float(np.sum(cnt * q) - np.einsum("ij,ij->", s, s))


def _violations(problem: Problem, a: np.ndarray) -> list[str]:
    ids, k = problem.ids, problem.n_groups
    out: list[str] = []
    sizes = np.bincount(a, minlength=k)
    for g in range(k):
        if sizes[g] > problem.max_size:
            out.append(f"group size: group {g} has {sizes[g]} people (at most {problem.max_size})")
        elif sizes[g] < problem.min_size:
            out.append(f"group size: group {g} has {sizes[g]} people (at least {problem.min_size})")
    if problem.facilitators:
        fi = np.fromiter(problem.facilitators, dtype=np.intp)
        fc = np.bincount(a[fi], minlength=k)
        for g in range(k):
            if fc[g] > problem.fac_max:
                out.append(f"facilitators: group {g} has {fc[g]} facilitators (at most {problem.fac_max})")
            elif fc[g] < problem.fac_min:
                out.append(f"facilitators: group {g} has {fc[g]} facilitators (at least {problem.fac_min})")
    for i, j in problem.separate:
        if a[i] == a[j]:
            out.append(f"must-separate: {ids[i]!r} and {ids[j]!r} are both in group {a[i]}")
    for members in problem.units:
        if len(members) > 1 and len({int(a[i]) for i in members}) > 1:
            where = ", ".join(f"{ids[i]!r} in {a[i]}" for i in members)
            out.append(f"must-together: {_names(ids, members)} are split ({where})")
    return out


def evaluate(problem: Problem, assignment: Mapping[Hashable, int]) -> float:
    """Objective of an assignment ``{person: group}`` (constraints are not checked)."""
    return _objective(problem.features, _labels(problem, assignment), problem.n_groups)


def violations(problem: Problem, assignment: Mapping[Hashable, int]) -> list[str]:
    """Every constraint the assignment violates, as human-readable strings (empty if none)."""
    return _violations(problem, _labels(problem, assignment))


def compose(problem: Problem, assignment: Mapping[Hashable, int]) -> list[GroupComposition]:
    """Per-group composition: counts per categorical value, mean of numeric attributes."""
    return _compose(problem, _labels(problem, assignment))


def _compose(problem: Problem, a: np.ndarray) -> list[GroupComposition]:
    out = []
    for g in range(problem.n_groups):
        members = np.flatnonzero(a == g)
        cat: dict[str, dict[str, int]] = {}
        num: dict[str, float | None] = {}
        for attr in problem.attributes:
            vals = problem.values[attr.name]
            if attr.kind == "categorical":
                counts: dict[str, int] = {}
                for i in members:
                    v = vals[i] if vals[i] is not None else MISSING
                    counts[v] = counts.get(v, 0) + 1
                cat[attr.name] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
            else:
                known = [vals[i] for i in members if vals[i] is not None]
                num[attr.name] = float(np.mean(known)) if known else None
        out.append(
            GroupComposition(
                index=g,
                members=tuple(problem.ids[i] for i in members),
                size=len(members),
                facilitators=sum(1 for i in members if i in problem.facilitators),
                categorical=cat,
                numeric=num,
            )
        )
    return out


def _grouping(
    problem: Problem,
    a: np.ndarray,
    seconds: float,
    seed: int,
    restart_objectives: Sequence[float],
    exact: bool,
) -> Grouping:
    ids = problem.ids
    groups: list[list[Hashable]] = [[] for _ in range(problem.n_groups)]
    for i, g in enumerate(a):
        groups[g].append(ids[i])
    return Grouping(
        assignment={ids[i]: int(g) for i, g in enumerate(a)},
        groups=groups,
        objective=_objective(problem.features, a, problem.n_groups),
        compositions=_compose(problem, a),
        seconds=seconds,
        seed=seed,
        restart_objectives=tuple(float(v) for v in restart_objectives),
        exact=exact,
        problem=problem,
    )


# --------------------------------------------------------------------------- manual changes


def _target(target: Grouping | Problem, assignment: Mapping[Hashable, int] | None) -> tuple[Problem, np.ndarray]:
    if isinstance(target, Grouping):
        problem = target.problem
        assignment = target.assignment if assignment is None else assignment
    else:
        problem = target
        if assignment is None:
            raise GroupingError("an assignment is needed to score a change on a Problem")
    return problem, _labels(problem, assignment)


def _result(problem: Problem, before: np.ndarray, after: np.ndarray) -> MoveResult:
    x, k = problem.features, problem.n_groups
    old, new = _objective(x, before, k), _objective(x, after, k)
    return MoveResult(
        objective=new,
        delta=new - old,
        violations=tuple(_violations(problem, after)),
        assignment={problem.ids[i]: int(g) for i, g in enumerate(after)},
    )


def score_move(
    target: Grouping | Problem,
    person: Hashable,
    to_group: int,
    assignment: Mapping[Hashable, int] | None = None,
) -> MoveResult:
    """Objective and constraint check after moving one person to ``to_group``.

    ``target`` is a :class:`Grouping` (its assignment is the starting point
    unless ``assignment`` is given) or a :class:`Problem` plus ``assignment``.
    The move is evaluated as asked: a member of a together-set moves alone,
    and the result reports the split (and any size, facilitator or
    separation violation) in ``violations``.
    """
    problem, a = _target(target, assignment)
    i = problem.index(person)
    if isinstance(to_group, bool) or not isinstance(to_group, numbers.Integral):
        raise GroupingError("to_group must be an integer")
    if not 0 <= to_group < problem.n_groups:
        raise GroupingError(f"group {to_group} is out of range 0..{problem.n_groups - 1}")
    b = a.copy()
    b[i] = to_group
    return _result(problem, a, b)


def score_swap(
    target: Grouping | Problem,
    person_a: Hashable,
    person_b: Hashable,
    assignment: Mapping[Hashable, int] | None = None,
) -> MoveResult:
    """Objective and constraint check after swapping the groups of two people."""
    problem, a = _target(target, assignment)
    i, j = problem.index(person_a), problem.index(person_b)
    b = a.copy()
    b[i], b[j] = a[j], a[i]
    return _result(problem, a, b)


# --------------------------------------------------------------------------- solver


class _Units:
    """Units (must-together sets, singletons included) with aggregated features,
    reordered so that swap classes (size, facilitator count) are contiguous."""

    def __init__(self, problem: Problem) -> None:
        x = problem.features
        if x.shape[1] > 1:
            # rotate onto the principal axes and drop null directions (one per one-hot
            # block): distances are unchanged, products get cheaper
            ev, vec = np.linalg.eigh(x.T @ x)
            keep = ev > 1e-12 * max(1.0, float(ev[-1]))
            x = x @ vec[:, keep]
        sq = np.einsum("ij,ij->i", x, x)
        raw = problem.units
        size = np.array([len(m) for m in raw])
        facs = np.array([sum(1 for i in m if i in problem.facilitators) for m in raw])
        order = np.lexsort((np.arange(len(raw)), facs, size))  # stable, deterministic
        self.members = [raw[u] for u in order]
        self.size = size[order]
        self.fac = facs[order]
        m, d = len(raw), x.shape[1]
        self.m = m
        self.su = np.zeros((m, d))
        self.sq = np.zeros(m)
        self.inner = np.zeros(m)  # sum over ordered pairs within the unit
        for u, mem in enumerate(self.members):
            xm = x[list(mem)]
            self.su[u] = xm.sum(axis=0)
            self.sq[u] = sq[list(mem)].sum()
            self.inner[u] = 2.0 * (len(mem) * self.sq[u] - self.su[u] @ self.su[u])
        self.su = np.ascontiguousarray(self.su)
        self.aug = np.ascontiguousarray(np.hstack([self.su, self.sq[:, None]]))
        # class slices
        key = self.size * (len(raw) + 1) + self.fac
        self.cls = np.unique(key, return_inverse=True)[1]
        bounds = np.flatnonzero(np.diff(self.cls)) + 1
        starts = np.concatenate(([0], bounds))
        ends = np.concatenate((bounds, [m]))
        self.slices = [(int(s), int(e)) for s, e in zip(starts, ends, strict=True)]
        self.slice_of = np.empty(m, dtype=np.intp)
        for c, (s, e) in enumerate(self.slices):
            self.slice_of[s:e] = c
        # separation between units
        pos = np.empty(m, dtype=np.intp)
        pos[order] = np.arange(m)
        self.person_unit = pos[problem.unit_of]
        partners: list[set[int]] = [set() for _ in range(m)]
        for i, j in problem.separate:
            ui, uj = self.person_unit[i], self.person_unit[j]
            partners[ui].add(int(uj))
            partners[uj].add(int(ui))
        self.partners = [sorted(p) for p in partners]
        self.any_sep = bool(problem.separate)

    def to_people(self, ua: np.ndarray, n: int) -> np.ndarray:
        a = np.empty(n, dtype=np.intp)
        for u, mem in enumerate(self.members):
            a[list(mem)] = ua[u]
        return a


def _constraint_names(problem: Problem, units: _Units) -> list[str]:
    what = []
    if any(len(mem) > 1 for mem in units.members):
        what.append("must-together sets")
    if problem.separate:
        what.append("must-separate pairs")
    if problem.facilitators:
        what.append("facilitator spreading")
    return what


def _initial(problem: Problem, units: _Units, rng: np.random.Generator) -> np.ndarray:
    """Random constrained start: facilitator units first, then big units, each into
    the admissible group with the fewest facilitators / most room (random ties)."""
    k, m = problem.n_groups, units.m
    for _attempt in range(60):
        jitter = rng.random(m)
        # facilitator units first, bigger units first, units with separations first
        nsep = np.array([len(p) for p in units.partners])
        order = np.lexsort((jitter, -nsep, -units.size, -units.fac))
        ua = np.full(m, -1, dtype=np.intp)
        load = np.zeros(k, dtype=np.intp)
        fcount = np.zeros(k, dtype=np.intp)
        ok_all = True
        for u in order:
            s, f = units.size[u], units.fac[u]
            ok = (load + s <= problem.max_size) & (fcount + f <= problem.fac_max)
            for p in units.partners[u]:
                if ua[p] >= 0:
                    ok[ua[p]] = False
            if not ok.any():
                ok_all = False
                break
            tie = rng.random(k)
            # facilitator units go where facilitators are fewest, then where there is room
            score = (fcount * 4.0 * (problem.max_size + 1) if f > 0 else 0.0) + load + tie
            score[~ok] = np.inf
            g = int(np.argmin(score))
            ua[u] = g
            load[g] += s
            fcount[g] += f
        if ok_all and load.min() >= problem.min_size and (not problem.facilitators or fcount.min() >= problem.fac_min):
            return ua
    what = _constraint_names(problem, units)
    raise GroupingError(
        f"could not place everyone into {k} groups of {problem.min_size}..{problem.max_size} "
        f"people while respecting {' and '.join(what) or 'the group sizes'}"
        + ("; allow uneven sizes with min_size/max_size" if "must-together sets" in what else "")
    )


def _exchange(
    problem: Problem,
    units: _Units,
    ua: np.ndarray,
    rng: np.random.Generator,
    max_passes: int,
) -> np.ndarray:
    """Local-maximum exchange: best improving admissible swap per unit, until a pass is idle.

    Swapping unit ``i`` (group ``g``) with unit ``j`` (group ``h``) of the same
    class changes the objective by::

        D(i, h) + D(j, g) - 2 d(i, j) - own_i - own_j

    where ``D(u, h)`` is the summed distance of ``u``'s members to group ``h``'s
    members (``n_h SQ_u - 2 SU_u.S_h + s_u Q_h``), ``d(i, j)`` the summed
    distance between the two units and ``own_u`` the summed distance of ``u``
    to the rest of its group.  For a fixed ``i`` this is one matrix-vector
    product over all candidates ``j``.

    The gain is symmetric in ``i`` and ``j``, which lets a pass skip unit
    ``i`` when its group has not changed since ``i`` was last scanned without
    finding an improving swap: a pair ``(i, j)`` with ``j``'s group unchanged
    too is still not improving, and if ``j``'s group changed, ``j`` gets
    scanned itself (or was scanned after the change).  So a pass with no swap
    still certifies a local maximum over *all* admissible swaps, while late
    passes only scan the people in groups that changed.  Candidate gains of a
    few upcoming units of the same class are computed in one matrix product.
    """
    if units.su.shape[1] == 0 or problem.n_groups == 1:
        return ua
    state = _Exchange(problem, units, ua)
    order = rng.permutation(units.m).tolist()
    for _pass in range(max_passes):
        if state.run_pass(order) == 0:
            break
    return state.ua


class _Exchange:
    """One run of the exchange: the assignment of units to groups, the groups' aggregates
    (feature sums ``S``, squared-norm sums ``Q``, sizes ``cnt``), each unit's ``own``
    distance to the rest of its group, and the change clocks that certify units."""

    def __init__(self, problem: Problem, units: _Units, ua: np.ndarray) -> None:
        k, m = problem.n_groups, units.m
        self.k, self.units = k, units
        self.su, self.usq, self.inner = units.su, units.sq, units.inner
        self.size = units.size.astype(float)
        self.d = units.su.shape[1]
        self.ua = ua.copy()
        self.members: list[list[int]] = [[] for _ in range(k)]
        for u in range(m):
            self.members[self.ua[u]].append(u)
        self.cnt = np.bincount(self.ua, weights=self.size, minlength=k)
        avg = 2.0 * float(np.einsum("ij,ij->", self.su, self.su) / max(1, m))
        self.tol = _MIN_GAIN * (1.0 + avg)
        self.tbuf = np.empty(m)
        # change clock: gtime[h] = clock of the last swap touching group h;
        # utime[u] = clock when u was last scanned without finding an improving swap
        self.clock = 1
        self.gtime = np.ones(k, dtype=np.int64)
        self.utime = np.zeros(m, dtype=np.int64)
        self.cache: dict[int, tuple[int, int, np.ndarray]] = {}

    def run_pass(self, order: list[int]) -> int:
        """Scan the units in `order`, swapping each with its best partner when that gains; the swaps made."""
        self._aggregate()
        self.cache = {}
        swaps = 0
        for t, i in enumerate(order):
            j = self._best_partner(order, t, i)
            if j is not None:
                self._swap(i, j)
                swaps += 1
        return swaps

    def _aggregate(self) -> None:
        """Exact aggregates at the start of each pass (no drift)."""
        su, usq, ua = self.su, self.usq, self.ua
        self.S = np.zeros((self.k, self.d))
        np.add.at(self.S, ua, su)
        self.Q = np.bincount(ua, weights=usq, minlength=self.k)
        self.own = (
            self.cnt[ua] * usq - 2.0 * np.einsum("ij,ij->i", su, self.S[ua]) + self.size * self.Q[ua] - self.inner
        )

    def _best_partner(self, order: list[int], t: int, i: int) -> int | None:
        """The unit whose swap with `i` gains most, if it gains enough; otherwise None, and `i` is certified."""
        units, ua = self.units, self.ua
        lo, hi = units.slices[units.slice_of[i]]
        if hi - lo < 2:
            return None
        g = ua[i]
        if self.gtime[g] <= self.utime[i]:
            return None  # every pair with i is certified (see _exchange)
        s_i, Q = self.size[i], self.Q
        # D(i, h) for every group h; h = g gives own_i + inner_i
        di = self.cnt * self.usq[i] - 2.0 * (self.S @ self.su[i]) + s_i * Q
        di[g] = -np.inf
        if units.any_sep and units.partners[i]:
            for p in units.partners[i]:
                di[ua[p]] = -np.inf
        gain = self.tbuf[: hi - lo]
        np.take(di, ua[lo:hi], out=gain)
        gain += self._column(order, t, i, g, lo, hi)
        gain -= self.own[lo:hi]
        if units.any_sep:
            for v in self.members[g]:
                if v != i:
                    for p in units.partners[v]:
                        if lo <= p < hi:
                            gain[p - lo] = -np.inf
        jj = int(np.argmax(gain))
        best = gain[jj] + s_i * (Q[g] - 2.0 * self.usq[i]) - self.own[i]
        if not best > self.tol:
            self.utime[i] = self.clock
            return None
        return lo + jj

    def _column(self, order: list[int], t: int, i: int, g: int, lo: int, hi: int) -> np.ndarray:
        """The candidate-dependent part of `i`'s swap gains against the units lo..hi of its class.

        Taken from the cache when an earlier batch computed it and `i`'s group has not changed;
        otherwise batched with the next units of the same class that need a scan too: one read
        of ``aug`` serves them all."""
        entry = self.cache.pop(i, None)
        if entry is not None and entry[0] == g and entry[1] == self.gtime[g]:
            return entry[2]
        ua, gtime, utime = self.ua, self.gtime, self.utime
        batch = [i]
        for b in order[t + 1 : t + 1 + 4 * _BATCH]:
            if lo <= b < hi and gtime[ua[b]] > utime[b]:
                batch.append(b)
                if len(batch) == _BATCH:
                    break
        bi = np.array(batch)
        gb = ua[bi]
        d = self.d
        wt = np.empty((len(batch), d + 1))
        wt[:, :d] = -2.0 * (self.S[gb] - 2.0 * self.su[bi])
        wt[:, d] = self.cnt[gb] - 2.0 * self.size[bi]
        block = wt @ self.units.aug[lo:hi].T  # aug = [su | sq]
        for c_pos in range(1, len(batch)):
            self.cache[batch[c_pos]] = (gb[c_pos], gtime[gb[c_pos]], block[c_pos])
        return block[0]

    def _swap(self, i: int, j: int) -> None:
        """Exchange the groups of units `i` and `j`, updating the aggregates and the clocks."""
        g, h = self.ua[i], self.ua[j]
        delta = self.su[j] - self.su[i]
        self.S[g] += delta
        self.S[h] -= delta
        dq = self.usq[j] - self.usq[i]
        self.Q[g] += dq
        self.Q[h] -= dq
        self.ua[i], self.ua[j] = h, g
        self.members[g].remove(i)
        self.members[g].append(j)
        self.members[h].remove(j)
        self.members[h].append(i)
        for group in (g, h):
            mem = np.array(self.members[group])
            self.own[mem] = self._own(group, mem)
        self.clock += 1
        self.gtime[g] = self.gtime[h] = self.clock

    def _own(self, g: int, mem: np.ndarray) -> np.ndarray:
        """Summed distance of each unit in `mem` (all in group `g`) to the rest of the group."""
        return (
            self.cnt[g] * self.usq[mem]
            - 2.0 * (self.su[mem] @ self.S[g])
            + self.size[mem] * self.Q[g]
            - self.inner[mem]
        )


def _exact(problem: Problem, units: _Units) -> tuple[np.ndarray, float] | None:
    """Enumerate every constrained partition (groups are interchangeable); best by objective.

    Returns ``None`` when the enumeration would be too large."""
    k, m = problem.n_groups, units.m
    size, fac = units.size, units.fac
    # pairwise cross distance between units
    sq = units.sq
    cross = size[:, None] * sq[None, :] + size[None, :] * sq[:, None] - 2.0 * (units.su @ units.su.T)
    order = np.lexsort((-size, -np.array([len(p) for p in units.partners])))
    # states: labels (P x m), loads, facilitators, number of groups used, objective
    labels = np.zeros((1, 0), dtype=np.int8)
    load = np.zeros((1, k), dtype=np.int16)
    fcount = np.zeros((1, k), dtype=np.int16)
    used = np.zeros(1, dtype=np.int16)
    obj = np.zeros(1)
    remaining = int(size.sum())
    placed: list[int] = []
    for t, u in enumerate(order):
        remaining -= int(size[u])
        parts_l, parts_load, parts_f, parts_used, parts_obj = [], [], [], [], []
        for g in range(k):
            ok = (g <= used) & (load[:, g] + size[u] <= problem.max_size)
            ok &= fcount[:, g] + fac[u] <= problem.fac_max
            for p in units.partners[u]:
                if p in placed:
                    ok &= labels[:, placed.index(p)] != g
            if not ok.any():
                continue
            sel = np.flatnonzero(ok)
            new_load = load[sel].copy()
            new_load[:, g] += size[u]
            new_f = fcount[sel].copy()
            new_f[:, g] += fac[u]
            # feasibility of filling every group to min_size with what remains
            deficit = np.maximum(problem.min_size - new_load, 0).sum(axis=1)
            keep = deficit <= remaining
            sel, new_load, new_f = sel[keep], new_load[keep], new_f[keep]
            if not len(sel):
                continue
            add = (labels[sel] == g).astype(float) @ cross[np.array(placed, dtype=np.intp), u] if t else 0.0
            parts_l.append(np.hstack([labels[sel], np.full((len(sel), 1), g, dtype=np.int8)]))
            parts_load.append(new_load)
            parts_f.append(new_f)
            parts_used.append(np.maximum(used[sel], g + 1))
            parts_obj.append(obj[sel] + add)
        if not parts_l:
            return np.empty(0, dtype=np.intp), -np.inf
        labels = np.vstack(parts_l)
        load = np.vstack(parts_load)
        fcount = np.vstack(parts_f)
        used = np.concatenate(parts_used)
        obj = np.concatenate(parts_obj)
        placed.append(int(u))
        if len(obj) > _EXACT_MAX_STATES:
            return None
    final = (load.min(axis=1) >= problem.min_size) & (fcount.min(axis=1) >= problem.fac_min)
    if not final.any():
        return np.empty(0, dtype=np.intp), -np.inf
    obj = np.where(final, obj, -np.inf)
    best = int(np.argmax(obj))
    ua = np.empty(m, dtype=np.intp)
    ua[np.array(placed)] = labels[best]
    return ua, float(obj[best])


def _restart(args: tuple) -> tuple[np.ndarray, float]:
    problem, units, child, max_passes = args
    if units is None:  # in a worker process
        units = _Units(problem)
    rng = np.random.default_rng(child)
    ua = _initial(problem, units, rng)
    ua = _exchange(problem, units, ua, rng, max_passes)
    a = units.to_people(ua, problem.n)
    return a, _objective(problem.features, a, problem.n_groups)


def solve(
    problem: Problem,
    *,
    restarts: int = 5,
    seed: int = 0,
    max_passes: int = 50,
    exact: bool | None = None,
    n_jobs: int = 1,
) -> Grouping:
    """Form groups for a prepared :class:`Problem`.

    ``exact=None`` enumerates exhaustively when there are at most
    :data:`EXACT_MAX_PEOPLE` people (falling back to the heuristic if the
    enumeration would be too large), ``True`` insists on it (same fallback),
    ``False`` always uses the exchange heuristic.  ``n_jobs > 1`` runs the
    restarts in that many worker processes (same result as ``n_jobs=1``).
    ``max_passes`` caps the exchange passes per restart (a pass without any
    improving swap ends a restart earlier; that is the usual end).
    """
    if restarts < 1:
        raise GroupingError(f"restarts must be at least 1 (got {restarts})")
    t0 = time.perf_counter()
    units = _Units(problem)
    use_exact = exact if exact is not None else problem.n <= EXACT_MAX_PEOPLE
    if use_exact and units.m <= 2 * EXACT_MAX_PEOPLE:
        res = _exact(problem, units)
        if res is not None:
            ua, value = res
            if not len(ua):
                what = _constraint_names(problem, units)
                raise GroupingError(
                    f"no assignment into {problem.n_groups} groups of "
                    f"{problem.min_size}..{problem.max_size} people respects "
                    f"{' and '.join(what) or 'the group sizes'}"
                    + (
                        "; allow uneven sizes with min_size/max_size"
                        if len(what) == 1 and what[0] == "must-together sets"
                        else ""
                    )
                )
            a = units.to_people(ua, problem.n)
            value = _objective(problem.features, a, problem.n_groups)
            return _grouping(problem, a, time.perf_counter() - t0, seed, [value], True)
    children = np.random.SeedSequence(seed).spawn(restarts)
    if n_jobs > 1 and restarts > 1:
        with ProcessPoolExecutor(max_workers=min(n_jobs, restarts)) as pool:
            runs = list(pool.map(_restart, [(problem, None, c, max_passes) for c in children]))
    else:
        runs = [_restart((problem, units, c, max_passes)) for c in children]
    best_a, best_v, values = None, -np.inf, []
    for a, v in runs:  # first best wins: the result does not depend on n_jobs
        values.append(v)
        if v > best_v + 1e-9 * (1.0 + abs(v)):
            best_a, best_v = a, v
    assert best_a is not None
    return _grouping(problem, best_a, time.perf_counter() - t0, seed, values, False)


def form_groups(
    people_ids: Sequence[Hashable],
    attributes: Mapping[str, Sequence[Any]],
    *,
    kinds: Mapping[str, str] | None = None,
    weights: Mapping[str, float] | None = None,
    n_groups: int | None = None,
    group_size: int | None = None,
    min_size: int | None = None,
    max_size: int | None = None,
    facilitators: Collection[Hashable] = (),
    strict_facilitators: bool = False,
    separate: Sequence[Sequence[Hashable]] = (),
    together: Sequence[Sequence[Hashable]] = (),
    restarts: int = 5,
    seed: int = 0,
    max_passes: int = 50,
    exact: bool | None = None,
    n_jobs: int = 1,
) -> Grouping:
    """Split people into diverse groups (see the module docstring).

    ``attributes`` maps an attribute name to one value per person (aligned
    with ``people_ids``); ``kinds`` overrides the inferred kind (numeric when
    every known value is a number); ``weights`` defaults to 1 per attribute.
    ``separate`` and ``together`` are pairs (or longer tuples) of person ids.
    """
    t0 = time.perf_counter()
    problem = prepare(
        people_ids,
        attributes,
        kinds=kinds,
        weights=weights,
        n_groups=n_groups,
        group_size=group_size,
        min_size=min_size,
        max_size=max_size,
        facilitators=facilitators,
        strict_facilitators=strict_facilitators,
        separate=separate,
        together=together,
    )
    result = solve(problem, restarts=restarts, seed=seed, max_passes=max_passes, exact=exact, n_jobs=n_jobs)
    object.__setattr__(result, "seconds", time.perf_counter() - t0)
    return result
