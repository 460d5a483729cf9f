"""Tests for convene.engines.grouping (diverse breakout groups by anticlustering)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from convene.engines.grouping import (
    MISSING,
    Grouping,
    GroupingError,
    compose,
    evaluate,
    form_groups,
    prepare,
    score_move,
    score_swap,
    solve,
    violations,
)

# --------------------------------------------------------------------------- helpers


def pair_objective(x: np.ndarray, labels) -> float:
    """Naive sum over unordered same-group pairs of squared Euclidean distance."""
    total = 0.0
    for i, j in itertools.combinations(range(len(labels)), 2):
        if labels[i] == labels[j]:
            total += float(np.sum((x[i] - x[j]) ** 2))
    return total


def set_partitions(n: int, k: int, lo: int, hi: int):
    """Every partition of range(n) into exactly k labelled-canonically groups of lo..hi."""
    labels = [0] * n
    sizes = [0] * k

    def rec(i: int, used: int):
        if i == n:
            if used == k and all(lo <= s <= hi for s in sizes):
                yield tuple(labels)
            return
        # prune: the rest cannot fill the groups still needed
        if (k - used) > n - i:
            return
        for g in range(min(used + 1, k)):
            if sizes[g] < hi:
                labels[i] = g
                sizes[g] += 1
                yield from rec(i + 1, max(used, g + 1))
                sizes[g] -= 1

    yield from rec(0, 0)


def brute_force(problem, check_constraints=True):
    """Best objective over every admissible partition (independent of the engine's solver)."""
    ids = problem.ids
    best = -math.inf
    for labels in set_partitions(problem.n, problem.n_groups, problem.min_size, problem.max_size):
        assignment = dict(zip(ids, labels, strict=True))
        if check_constraints and violations(problem, assignment):
            continue
        best = max(best, pair_objective(problem.features, labels))
    return best


def people(n: int, seed: int = 0, numeric: bool = True):
    rng = np.random.default_rng(seed)
    ids = [f"p{i}" for i in range(n)]
    attrs = {
        "community": [str(v) for v in rng.choice(["a", "b", "c", "d"], n)],
        "discipline": [str(v) for v in rng.choice(["law", "med", "art"], n)],
    }
    if numeric:
        attrs["years"] = [float(v) for v in rng.integers(0, 30, n)]
    return ids, attrs


# --------------------------------------------------------------------------- objective by hand


def test_categorical_objective_by_hand():
    p = prepare(["A", "B", "C", "D"], {"c": ["x", "x", "y", "y"]}, n_groups=2)
    # one-hot: different values are 2 apart (squared), equal values 0
    assert evaluate(p, {"A": 0, "C": 0, "B": 1, "D": 1}) == pytest.approx(4.0)
    assert evaluate(p, {"A": 0, "B": 0, "C": 1, "D": 1}) == pytest.approx(0.0)
    g = form_groups(["A", "B", "C", "D"], {"c": ["x", "x", "y", "y"]}, n_groups=2)
    assert g.objective == pytest.approx(4.0)
    assert g.assignment["A"] != g.assignment["B"]


def test_weights_scale_the_distance():
    p = prepare(["A", "B"], {"c": ["x", "y"]}, weights={"c": 3.0}, n_groups=1)
    assert evaluate(p, {"A": 0, "B": 0}) == pytest.approx(6.0)


def test_numeric_is_standardised():
    # values 10 and 30: mean 20, sd 10 -> z = -1, +1 -> squared distance 4
    p = prepare(["A", "B"], {"age": [10, 30]}, n_groups=1)
    assert p.attributes[0].kind == "numeric"
    assert evaluate(p, {"A": 0, "B": 0}) == pytest.approx(4.0)
    # weight 0.5 halves it
    p = prepare(["A", "B"], {"age": [10, 30]}, weights={"age": 0.5}, n_groups=1)
    assert evaluate(p, {"A": 0, "B": 0}) == pytest.approx(2.0)


def test_mixed_three_people_by_hand():
    # c: x, y, x  -> pairs (A,B)=2, (A,C)=0, (B,C)=2
    # n: 0, 0, 3 -> mean 1, sd sqrt(2) -> z = (-1, -1, 2)/sqrt(2)
    #    squared: (A,B)=0, (A,C)=9/2, (B,C)=9/2
    p = prepare(["A", "B", "C"], {"c": ["x", "y", "x"], "n": [0, 0, 3]}, n_groups=1)
    assert evaluate(p, {"A": 0, "B": 0, "C": 0}) == pytest.approx(2 + 0 + 2 + 0 + 4.5 + 4.5)


def test_missing_values():
    # categorical missing = zero vector: 1 (= weight) away from a known value, 0 from missing
    p = prepare(["A", "B", "C"], {"c": ["x", None, ""]}, n_groups=1)
    assert evaluate(p, {"A": 0, "B": 0, "C": 0}) == pytest.approx(1 + 1 + 0)
    # numeric missing = mean imputation
    p = prepare(["A", "B", "C"], {"n": [0, 2, None]}, n_groups=1)
    assert p.attributes[0].kind == "numeric"
    assert evaluate(p, {"A": 0, "B": 0, "C": 0}) == pytest.approx(4 + 1 + 1)
    comp = compose(p, {"A": 0, "B": 0, "C": 0})[0]
    assert comp.numeric["n"] == pytest.approx(1.0)
    p = prepare(["A", "B", "C"], {"c": ["x", None, "x"]}, n_groups=1)
    assert compose(p, {"A": 0, "B": 0, "C": 0})[0].categorical["c"] == {"x": 2, MISSING: 1}


def test_kinds_override_and_constant_column():
    p = prepare(["A", "B"], {"code": [1, 2], "same": [5, 5]}, kinds={"code": "categorical"}, n_groups=1)
    assert [a.kind for a in p.attributes] == ["categorical", "numeric"]
    assert evaluate(p, {"A": 0, "B": 0}) == pytest.approx(2.0)


def test_objective_matches_pairwise_sum():
    ids, attrs = people(40, seed=3)
    g = form_groups(ids, attrs, n_groups=6, seed=1)
    labels = [g.assignment[i] for i in ids]
    assert g.objective == pytest.approx(pair_objective(g.problem.features, labels))


# --------------------------------------------------------------------------- brute force


@pytest.mark.parametrize(
    ("n", "k", "seed"),
    [(6, 2, 0), (7, 3, 1), (8, 2, 2), (9, 3, 3), (10, 4, 4), (12, 3, 5), (12, 4, 6)],
)
def test_small_instances_are_optimal(n, k, seed):
    ids, attrs = people(n, seed=seed)
    g = form_groups(ids, attrs, n_groups=k, seed=seed)
    assert g.exact
    assert g.objective == pytest.approx(brute_force(g.problem, check_constraints=False))


def test_small_constrained_instance_is_optimal():
    ids, attrs = people(10, seed=11)
    g = form_groups(
        ids,
        attrs,
        n_groups=3,
        facilitators=["p0", "p1", "p2"],
        separate=[("p3", "p4"), ("p5", "p6")],
        together=[("p7", "p8")],
    )
    assert not violations(g.problem, g.assignment)
    assert g.objective == pytest.approx(brute_force(g.problem))


def test_heuristic_reaches_small_optimum():
    ids, attrs = people(12, seed=7)
    exact = form_groups(ids, attrs, n_groups=3)
    heuristic = form_groups(ids, attrs, n_groups=3, exact=False, restarts=20, seed=0)
    assert not heuristic.exact
    assert heuristic.objective == pytest.approx(exact.objective)


def test_heuristic_result_is_a_local_maximum():
    ids, attrs = people(36, seed=8)
    g = form_groups(
        ids,
        attrs,
        n_groups=5,
        facilitators=ids[:5],
        separate=[(ids[6], ids[7])],
        together=[(ids[8], ids[9])],
        exact=False,
        restarts=2,
    )
    a = g.assignment
    fac = set(ids[:5])
    for x, y in itertools.combinations(ids, 2):
        if a[x] == a[y] or (x in fac) != (y in fac):
            continue
        r = score_swap(g, x, y)
        if r.ok:
            assert r.delta <= 1e-7, (x, y, r.delta)


# --------------------------------------------------------------------------- constraints


def test_sizes_balanced_and_facilitators_spread():
    ids, attrs = people(53, seed=2)
    fac = ids[:7]
    g = form_groups(ids, attrs, n_groups=7, facilitators=fac, restarts=2)
    sizes = sorted(len(m) for m in g.groups)
    assert sizes[-1] - sizes[0] <= 1 and sum(sizes) == 53
    assert [c.facilitators for c in g.compositions] == [1] * 7
    assert not violations(g.problem, g.assignment)


def test_more_facilitators_than_groups_spread_evenly():
    ids, attrs = people(30, seed=2)
    g = form_groups(ids, attrs, n_groups=4, facilitators=ids[:10])
    assert sorted(c.facilitators for c in g.compositions) == [2, 2, 3, 3]


def test_fewer_facilitators_than_groups_at_most_one_each():
    ids, attrs = people(30, seed=2)
    g = form_groups(ids, attrs, n_groups=5, facilitators=ids[:3])
    assert sorted(c.facilitators for c in g.compositions) == [0, 0, 1, 1, 1]


def test_group_size_and_min_max():
    ids, attrs = people(22, seed=4)
    g = form_groups(ids, attrs, group_size=5)
    assert len(g.groups) == 5 and max(len(m) for m in g.groups) <= 5
    g = form_groups(ids, attrs, max_size=6)
    assert len(g.groups) == 4 and {len(m) for m in g.groups} <= {5, 6}
    g = form_groups(ids, attrs, n_groups=4, min_size=4, max_size=7)
    assert all(4 <= len(m) <= 7 for m in g.groups)


def test_together_sets_move_as_units_with_uneven_sizes():
    ids, attrs = people(20, seed=5)
    together = [(ids[0], ids[1]), (ids[1], ids[2]), (ids[3], ids[4])]
    g = form_groups(ids, attrs, n_groups=4, together=together, min_size=4, max_size=6)
    a = g.assignment
    assert a[ids[0]] == a[ids[1]] == a[ids[2]] and a[ids[3]] == a[ids[4]]
    assert not violations(g.problem, a)


def test_together_longer_tuples_and_separate():
    ids, attrs = people(24, seed=6)
    g = form_groups(
        ids,
        attrs,
        n_groups=4,
        together=[tuple(ids[:3])],
        separate=[(ids[0], ids[5]), (ids[5], ids[6]), (ids[6], ids[7])],
    )
    a = g.assignment
    assert a[ids[0]] == a[ids[1]] == a[ids[2]]
    assert a[ids[0]] != a[ids[5]] and a[ids[5]] != a[ids[6]] and a[ids[6]] != a[ids[7]]


@st.composite
def instances(draw):
    n = draw(st.integers(13, 40))
    k = draw(st.integers(2, min(8, n // 2)))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    ids = list(range(n))
    attrs = {
        "c": [str(v) for v in rng.choice(list("abcde"), n)],
        "s": [str(v) for v in rng.choice(["jr", "sr"], n)],
        "y": [float(v) for v in rng.normal(size=n)],
    }
    f = draw(st.integers(0, k + 2))
    facilitators = [int(v) for v in rng.choice(n, f, replace=False)]
    pairs = lambda m: [tuple(int(v) for v in rng.choice(n, 2, replace=False)) for _ in range(m)]  # noqa: E731
    separate = pairs(draw(st.integers(0, 4)))
    together = pairs(draw(st.integers(0, 2)))
    return ids, attrs, k, facilitators, separate, together, draw(st.integers(0, 100))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_constraints_hold(inst):
    ids, attrs, k, facilitators, separate, together, seed = inst
    try:
        g = form_groups(
            ids,
            attrs,
            n_groups=k,
            min_size=1,
            max_size=len(ids),
            facilitators=facilitators,
            separate=separate,
            together=together,
            restarts=2,
            seed=seed,
        )
    except GroupingError:
        assume(False)
        return
    a = g.assignment
    assert set(a) == set(ids) and all(0 <= v < k for v in a.values())
    for x, y in separate:
        assert a[x] != a[y]
    for x, y in together:
        assert a[x] == a[y]
    counts = [sum(1 for p in facilitators if a[p] == h) for h in range(k)]
    assert max(counts) - min(counts) <= 1
    assert not violations(g.problem, a)
    assert g.objective == pytest.approx(evaluate(g.problem, a))


@settings(max_examples=25, deadline=None)
@given(st.integers(13, 40), st.integers(2, 6), st.integers(0, 1000))
def test_balanced_sizes_property(n, k, seed):
    ids, attrs = people(n, seed=seed)
    g = form_groups(ids, attrs, n_groups=k, seed=seed, restarts=1)
    sizes = [len(m) for m in g.groups]
    assert max(sizes) - min(sizes) <= 1 and sum(sizes) == n


# --------------------------------------------------------------------------- determinism


def test_deterministic_for_a_seed():
    ids, attrs = people(60, seed=9)
    kw = dict(n_groups=6, facilitators=ids[:6], separate=[(ids[7], ids[8])], restarts=3)
    a = form_groups(ids, attrs, seed=42, **kw)
    b = form_groups(ids, attrs, seed=42, **kw)
    assert a.assignment == b.assignment and a.objective == b.objective
    assert a.restart_objectives == b.restart_objectives
    assert len(a.restart_objectives) == 3
    assert a.objective == pytest.approx(max(a.restart_objectives))


def test_solve_on_prepared_problem():
    ids, attrs = people(30, seed=1)
    p = prepare(ids, attrs, n_groups=3)
    g = solve(p, restarts=2, seed=5)
    assert isinstance(g, Grouping) and g.problem is p
    assert g.groups == [[i for i in ids if g.assignment[i] == h] for h in range(3)]


def test_compositions():
    ids = ["a", "b", "c", "d"]
    g = form_groups(
        ids,
        {"c": ["x", "x", "y", "y"], "n": [1.0, 2.0, 3.0, 4.0]},
        n_groups=2,
        facilitators=["a"],
    )
    comps = g.compositions
    assert [c.size for c in comps] == [2, 2]
    for c in comps:
        assert c.categorical["c"] == {"x": 1, "y": 1}
        assert set(c.members) == set(g.groups[c.index])
    assert sum(c.facilitators for c in comps) == 1
    assert sum(c.numeric["n"] for c in comps) == pytest.approx(5.0)


def test_no_attributes_and_single_group():
    g = form_groups(["a", "b", "c"], {}, n_groups=1)
    assert g.objective == 0.0 and g.groups == [["a", "b", "c"]]


# --------------------------------------------------------------------------- manual changes


def test_score_move_and_swap():
    ids, attrs = people(20, seed=12)
    g = form_groups(ids, attrs, n_groups=4, together=[(ids[0], ids[1])], separate=[(ids[2], ids[3])])
    a = dict(g.assignment)
    # swap two people in different groups
    x = next(p for p in ids[4:] if a[p] != a[ids[4]])
    r = score_swap(g, ids[4], x)
    b = dict(a)
    b[ids[4]], b[x] = a[x], a[ids[4]]
    assert r.objective == pytest.approx(evaluate(g.problem, b))
    assert r.delta == pytest.approx(r.objective - g.objective)
    assert r.assignment == b and r.ok
    # moving one person unbalances the sizes (4 groups of 5 -> 4 and 6)
    target = (a[ids[5]] + 1) % 4
    r = score_move(g, ids[5], target)
    b = dict(a)
    b[ids[5]] = target
    assert r.objective == pytest.approx(evaluate(g.problem, b))
    assert r.delta == pytest.approx(r.objective - g.objective)
    assert any(v.startswith("group size") for v in r.violations)
    # splitting a together pair
    other = (a[ids[0]] + 1) % 4
    r = score_move(g, ids[0], other)
    assert any("must-together" in v and "'p0'" in v for v in r.violations)
    # joining a separate pair
    r = score_move(g, ids[2], a[ids[3]])
    assert any(v.startswith("must-separate") and "'p2'" in v for v in r.violations)
    # on a Problem with an explicit assignment
    r2 = score_move(g.problem, ids[2], a[ids[3]], assignment=a)
    assert r2.objective == pytest.approx(r.objective)


def test_score_move_facilitators():
    ids, attrs = people(12, seed=13)
    g = form_groups(ids, attrs, n_groups=3, facilitators=ids[:3])
    a = g.assignment
    other = next(p for p in ids[:3] if a[p] != a[ids[0]])
    r = score_swap(g, ids[0], next(p for p in ids[3:] if a[p] == a[other]))
    assert any(v.startswith("facilitators") for v in r.violations)


def test_score_errors():
    ids, attrs = people(10, seed=1)
    g = form_groups(ids, attrs, n_groups=2)
    with pytest.raises(GroupingError, match="unknown person"):
        score_move(g, "nobody", 0)
    with pytest.raises(GroupingError, match="out of range"):
        score_move(g, ids[0], 2)
    with pytest.raises(GroupingError, match="assignment is needed"):
        score_move(g.problem, ids[0], 1)


# --------------------------------------------------------------------------- infeasible


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(n_groups=0), "number of groups must be between 1 and 6"),
        (dict(n_groups=7), "number of groups must be between 1 and 6"),
        (dict(), "give n_groups, group_size or max_size"),
        (dict(n_groups=2, group_size=3), "either n_groups or group_size"),
        (
            dict(n_groups=3, facilitators=["a", "b", "c", "d"], strict_facilitators=True),
            "strict facilitator spreading allows at most one facilitator per group, "
            "but there are 4 facilitators for 3 groups",
        ),
        (
            dict(n_groups=2, separate=[("a", "b")], together=[("a", "b")]),
            r"must-separate pair \('a', 'b'\) contradicts must-together",
        ),
        (
            dict(n_groups=2, separate=[("a", "c")], together=[("a", "b"), ("b", "c")]),
            r"must-separate pair \('a', 'c'\) contradicts must-together: they are joined "
            r"in the together-set \{'a', 'b', 'c'\}",
        ),
        (
            dict(n_groups=2, max_size=2),
            "group sizes cannot hold everyone: 2 groups of 3..2|min_size",
        ),
        (dict(n_groups=2, min_size=1, max_size=2), "group sizes cannot hold everyone"),
        (dict(n_groups=2, min_size=4), "group sizes cannot hold everyone"),
        (
            dict(n_groups=3, together=[("a", "b", "c")]),
            r"must-together set \{'a', 'b', 'c'\} has 3 people, but groups hold at most 2",
        ),
        (dict(n_groups=1, separate=[("a", "b")]), "cannot be kept apart with only one group"),
        (
            dict(n_groups=2, separate=[("a", "zz")]),
            "must-separate constraint names unknown person 'zz'",
        ),
        (dict(n_groups=2, together=[("a",)]), "needs at least two people"),
        (dict(n_groups=2, facilitators=["zz"]), "facilitator 'zz' is not among the people"),
        (dict(n_groups=2, separate=[("a", "a")]), "names the same person twice"),
        (
            dict(n_groups=3, facilitators=["a", "b"], together=[("a", "b")]),
            r"must-together set \{'a', 'b'\} holds 2 facilitators",
        ),
        (
            dict(
                n_groups=3,
                separate=[("a", "b"), ("b", "c"), ("a", "c"), ("a", "d")],
                max_size=2,
                together=[("d", "e")],
            ),
            "no assignment into 3 groups of 2..2 people respects must-together sets and must-separate pairs",
        ),
        (dict(n_groups=2, weights={"c": -1}), "weight must be a finite number >= 0"),
        (dict(n_groups=2, weights={"zz": 1}), "unknown attribute 'zz'"),
    ],
)
def test_infeasible_messages(kwargs, message):
    ids = ["a", "b", "c", "d", "e", "f"]
    attrs = {"c": ["x", "y", "x", "y", "x", "y"]}
    with pytest.raises(GroupingError, match=message):
        form_groups(ids, attrs, **kwargs)


def test_input_errors():
    with pytest.raises(GroupingError, match="no people"):
        form_groups([], {}, n_groups=1)
    with pytest.raises(GroupingError, match="appears twice"):
        form_groups(["a", "a"], {}, n_groups=1)
    with pytest.raises(GroupingError, match="has 1 values for 2 people"):
        form_groups(["a", "b"], {"c": ["x"]}, n_groups=1)
    with pytest.raises(GroupingError, match="non-numeric"):
        form_groups(["a", "b"], {"c": ["x", 1]}, kinds={"c": "numeric"}, n_groups=1)
    assert issubclass(GroupingError, ValueError)


def test_packing_together_sets_into_exact_sizes_fails_clearly():
    ids = list("abcdef")
    with pytest.raises(GroupingError, match="allow uneven sizes with min_size/max_size"):
        form_groups(ids, {}, n_groups=2, together=[("a", "b"), ("c", "d"), ("e", "f")], exact=False)
    with pytest.raises(GroupingError, match="no assignment into 2 groups.*allow uneven sizes"):
        form_groups(ids, {}, n_groups=2, together=[("a", "b"), ("c", "d"), ("e", "f")])


def test_parallel_restarts_give_the_same_result():
    ids, attrs = people(40, seed=14)
    kw = dict(n_groups=5, facilitators=ids[:5], separate=[(ids[6], ids[7])], restarts=3, seed=3)
    one = form_groups(ids, attrs, **kw)
    two = form_groups(ids, attrs, n_jobs=2, **kw)
    assert one.assignment == two.assignment
    assert one.restart_objectives == two.restart_objectives


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 29), st.integers(0, 29), st.integers(0, 3))
def test_manual_changes_score_like_a_fresh_evaluation(seed, a, b, to_group):
    ids, attrs = people(30, seed=seed % 50)
    g = form_groups(ids, attrs, n_groups=4, together=[(ids[0], ids[1])], restarts=1, seed=seed)
    moved = score_move(g, ids[a], to_group)
    assert moved.objective == pytest.approx(evaluate(g.problem, moved.assignment))
    assert moved.delta == pytest.approx(moved.objective - g.objective)
    assert list(moved.violations) == violations(g.problem, moved.assignment)
    swapped = score_swap(g, ids[a], ids[b])
    assert swapped.objective == pytest.approx(evaluate(g.problem, swapped.assignment))
    assert swapped.assignment[ids[a]] == g.assignment[ids[b]]
