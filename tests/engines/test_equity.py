"""Tests for convene.engines.equity (pure numpy, no Django)."""

from __future__ import annotations

import ast
import importlib
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convene.engines.equity import (
    Representation,
    blau,
    composition_deviation,
    evenness,
    gini,
    representation,
    share_heard,
)

# Counts that are realistic for people (and keep float error tiny).
counts_st = st.lists(st.integers(min_value=0, max_value=10_000), max_size=30)
# Zero or a normal positive float: subnormals would underflow under scaling and
# turn a scale-invariance check into a test of IEEE underflow.
values_st = st.lists(st.one_of(st.just(0.0), st.floats(min_value=1e-6, max_value=1e6)), max_size=40)
scale_st = st.floats(min_value=1e-3, max_value=1e3)


def brute_gini(xs: list[float]) -> float:
    n, total = len(xs), sum(xs)
    if n == 0 or total == 0:
        return 0.0
    return sum(abs(a - b) for a in xs for b in xs) / (2 * n * total)


@pytest.mark.parametrize("name", ["equity", "picker", "perception"])
def test_engine_does_not_import_django(name):
    # The engines stay pure so reports, the API and benchmarks can share them.
    mod = importlib.import_module(f"convene.engines.{name}")
    tree = ast.parse(Path(mod.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    } | {(node.module or "").split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert "django" not in imported


# --------------------------------------------------------------------------- blau


class TestBlau:
    def test_hand_computed(self):
        assert blau([5, 5]) == 1.0
        assert blau([10, 0]) == 0.0
        # p = (1/2, 1/4, 1/4): 1 - (1/4 + 1/16 + 1/16) = 5/8; times K/(K-1) = 3/2 -> 15/16
        assert blau([2, 1, 1]) == pytest.approx(0.9375, abs=1e-12)
        # p = (1/3, 2/3): 1 - 5/9 = 4/9; times 2 -> 8/9
        assert blau([1, 2]) == pytest.approx(8 / 9, abs=1e-12)

    def test_absent_category_lowers_index(self):
        # K counts every listed category, present or not.
        assert blau([5, 5, 0]) == pytest.approx(0.75)
        assert blau([5, 5, 0]) < blau([5, 5])

    def test_uniform_is_one(self):
        for k in range(2, 12):
            assert blau([7] * k) == pytest.approx(1.0)

    @pytest.mark.parametrize("counts", [[], [0], [7], [0, 0, 0], np.array([], dtype=int)])
    def test_degenerate_is_zero(self, counts):
        assert blau(counts) == 0.0

    def test_mapping_uses_values(self):
        assert blau({"a": 5, "b": 5}) == 1.0

    def test_returns_plain_float(self):
        assert type(blau([1, 2, 3])) is float
        assert type(blau([])) is float

    @pytest.mark.parametrize("bad", [[-1, 2], [math.nan, 1], [math.inf, 1], [[1, 2], [3, 4]], 5])
    def test_invalid(self, bad):
        with pytest.raises(ValueError):
            blau(bad)

    @given(counts_st)
    def test_in_unit_interval(self, counts):
        b = blau(counts)
        assert 0.0 <= b <= 1.0
        assert not math.isnan(b)

    @given(counts_st, scale_st)
    def test_scale_invariant(self, counts, c):
        assert blau([c * x for x in counts]) == pytest.approx(blau(counts), abs=1e-9)

    @given(counts_st, st.randoms())
    def test_permutation_invariant(self, counts, rnd):
        shuffled = counts[:]
        rnd.shuffle(shuffled)
        assert blau(shuffled) == pytest.approx(blau(counts), abs=1e-12)


# --------------------------------------------------------------------------- evenness


class TestEvenness:
    def test_hand_computed(self):
        assert evenness([1, 1, 1]) == pytest.approx(1.0)
        assert evenness([4, 0]) == 0.0
        # p = (1/2, 1/4, 1/4): H = 1.5 ln 2; / ln 3
        assert evenness([2, 1, 1]) == pytest.approx(1.5 * math.log(2) / math.log(3))

    def test_zero_category_counts_in_k(self):
        # H = ln 2, K = 3
        assert evenness([3, 3, 0]) == pytest.approx(math.log(2) / math.log(3))

    @pytest.mark.parametrize("counts", [[], [0], [9], [0, 0]])
    def test_degenerate_is_zero(self, counts):
        assert evenness(counts) == 0.0

    def test_invalid(self):
        with pytest.raises(ValueError):
            evenness([1, -1])

    @given(counts_st)
    def test_in_unit_interval(self, counts):
        e = evenness(counts)
        assert 0.0 <= e <= 1.0
        assert type(e) is float

    @given(counts_st, scale_st)
    def test_scale_invariant(self, counts, c):
        assert evenness([c * x for x in counts]) == pytest.approx(evenness(counts), abs=1e-9)


# --------------------------------------------------------------------------- gini


class TestGini:
    def test_hand_computed(self):
        assert gini([0, 0, 0, 4]) == 0.75
        assert gini([1, 1, 1, 1]) == 0.0
        # |1-3| pairs: sum over ordered pairs = 4; / (2 * 2 * 4) = 0.25
        assert gini([1, 3]) == pytest.approx(0.25)
        # [1,2,3]: ordered-pair sum = 2*(1+2+1) = 8; / (2*3*6) = 2/9
        assert gini([3, 1, 2]) == pytest.approx(2 / 9)

    @pytest.mark.parametrize("values", [[], [0], [5], [0, 0, 0]])
    def test_degenerate_is_zero(self, values):
        assert gini(values) == 0.0

    def test_negative_rejected(self):
        with pytest.raises(ValueError, match="non-negative"):
            gini([1, -2, 3])

    def test_nan_rejected(self):
        with pytest.raises(ValueError):
            gini([1, math.nan])

    def test_huge_values_do_not_overflow(self):
        assert gini([1e308, 1e308, 0, 0]) == pytest.approx(0.5)

    @given(st.integers(min_value=1, max_value=200), st.floats(min_value=1e-6, max_value=1e9))
    def test_equal_shares_zero(self, n, a):
        assert gini([a] * n) == 0.0

    @given(st.integers(min_value=1, max_value=200), st.floats(min_value=1e-6, max_value=1e9))
    def test_one_contributor(self, n, a):
        values = [0.0] * (n - 1) + [a]
        assert gini(values) == pytest.approx((n - 1) / n, abs=1e-12)

    @given(values_st, st.randoms())
    def test_permutation_invariant(self, values, rnd):
        shuffled = values[:]
        rnd.shuffle(shuffled)
        assert gini(shuffled) == pytest.approx(gini(values), abs=1e-12)

    @given(values_st)
    def test_bounds(self, values):
        g = gini(values)
        n = len(values)
        upper = (n - 1) / n if n else 0.0
        assert 0.0 <= g <= upper
        assert type(g) is float

    @given(values_st, scale_st)
    def test_scale_invariant(self, values, c):
        scaled = [c * x for x in values]
        assert gini(scaled) == pytest.approx(gini(values), abs=1e-9)

    @settings(max_examples=50)
    @given(st.lists(st.integers(min_value=0, max_value=50), max_size=25))
    def test_matches_double_sum(self, values):
        assert gini(values) == pytest.approx(brute_gini(values), abs=1e-12)


# --------------------------------------------------------------------------- share heard


class TestShareHeard:
    def test_hand_computed(self):
        assert share_heard([0, 3, 0, 1]) == 0.5
        assert share_heard([1, 1]) == 1.0
        assert share_heard([0, 0, 0]) == 0.0

    def test_empty(self):
        assert share_heard([]) == 0.0

    def test_invalid(self):
        with pytest.raises(ValueError):
            share_heard([1, -1])

    @given(values_st)
    def test_in_unit_interval(self, values):
        assert 0.0 <= share_heard(values) <= 1.0


# --------------------------------------------------------------------------- composition


class TestCompositionDeviation:
    def test_hand_computed(self):
        population = [50, 50]
        groups = [[5, 5], [8, 2]]  # second group is 80/20 vs 50/50
        assert composition_deviation(groups, population) == pytest.approx(0.3)

    def test_mirror_is_zero(self):
        assert composition_deviation([[2, 4], [1, 2]], [10, 20]) == pytest.approx(0.0)

    def test_empty_groups_skipped(self):
        # The empty group would otherwise be "100% off"; it has no composition.
        assert composition_deviation([[0, 0], [1, 1]], [3, 3]) == 0.0

    @pytest.mark.parametrize(
        ("groups", "population"),
        [([], [1, 2]), ([[0, 0]], [1, 1]), ([[1, 2]], [0, 0])],
    )
    def test_degenerate_is_zero(self, groups, population):
        assert composition_deviation(groups, population) == 0.0

    def test_shape_mismatch(self):
        with pytest.raises(ValueError, match="categories"):
            composition_deviation([[1, 2, 3]], [1, 2])

    @pytest.mark.parametrize("groups", [[1, 2], [[1, -2]], [[1, 2], [3]]])
    def test_invalid(self, groups):
        with pytest.raises(ValueError):
            composition_deviation(groups, [1, 2])

    @given(
        st.integers(min_value=1, max_value=6).flatmap(
            lambda k: st.tuples(
                st.lists(st.lists(st.integers(0, 100), min_size=k, max_size=k), max_size=8),
                st.lists(st.integers(0, 100), min_size=k, max_size=k),
            )
        )
    )
    def test_in_unit_interval(self, data):
        groups, population = data
        d = composition_deviation(groups, population)
        assert 0.0 <= d <= 1.0


# --------------------------------------------------------------------------- representation


class TestRepresentation:
    def test_with_categories(self):
        r = representation(["a", "b", "a"], categories=["a", "b", "c"])
        assert isinstance(r, Representation)
        assert r.counts == {"a": 2, "b": 1, "c": 0}
        assert r.total == 3
        assert r.blau == pytest.approx(blau([2, 1, 0]))
        assert r.evenness == pytest.approx(evenness([2, 1, 0]))

    def test_without_categories_counts_present_only(self):
        r = representation(["x", "y", "x", "y"])
        assert r.counts == {"x": 2, "y": 2}
        assert r.blau == 1.0
        assert r.evenness == pytest.approx(1.0)

    def test_empty(self):
        r = representation([])
        assert (r.total, r.blau, r.evenness, r.counts) == (0, 0.0, 0.0, {})

    def test_unknown_label(self):
        with pytest.raises(ValueError, match="not one of"):
            representation(["a", "z"], categories=["a", "b"])

    def test_duplicate_categories(self):
        with pytest.raises(ValueError, match="duplicates"):
            representation(["a"], categories=["a", "a"])

    def test_frozen(self):
        r = representation(["a"])
        with pytest.raises(AttributeError):
            r.blau = 1.0  # type: ignore[misc]
