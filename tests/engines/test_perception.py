"""Tests for convene.engines.perception (perception gap in boundary joint responses)."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from convene.engines.perception import GapRow, Prediction, mean_abs_gap, perception_gap

POL, SOC = "police", "social work"
S1, S2 = "s1", "s2"


def p(predictor, target, statement, share):
    return Prediction(predictor, target, statement, share)


def test_hand_computed():
    predictions = [
        # Police think social workers barely agree that "early referral helps".
        p(POL, SOC, S1, 0.2),
        p(POL, SOC, S1, 0.4),
        p(POL, SOC, S1, 0.3),
        # Social workers guess the police.
        p(SOC, POL, S1, 0.5),
        p(SOC, POL, S1, 0.7),
    ]
    actual = {
        (SOC, S1): (8, 10),  # 80% of social workers agree
        (POL, S1): (3, 5),  # 60% of police agree
    }
    rows = perception_gap(predictions, actual)
    assert [(r.statement, r.predictor_community, r.target_community) for r in rows] == [
        (S1, POL, SOC),
        (S1, SOC, POL),
    ]
    police, social = rows
    assert isinstance(police, GapRow)
    assert police.predicted_mean == pytest.approx(0.3)
    assert police.actual_share == 0.8
    assert police.gap == pytest.approx(-0.5)  # they underestimate agreement
    assert police.n_predictions == 3
    assert police.actual_votes == 10
    assert social.predicted_mean == pytest.approx(0.6)
    assert social.actual_share == pytest.approx(0.6)
    assert social.gap == pytest.approx(0.0)
    assert social.n_predictions == 2


def test_passes_count_as_votes():
    # 4 agree, 2 disagree, 4 pass -> 4 / 10, not 4 / 6.
    rows = perception_gap([p(POL, SOC, S1, 0.5)], {(SOC, S1): (4, 10)})
    assert rows[0].actual_share == 0.4
    assert rows[0].gap == pytest.approx(0.1)


def test_zero_votes_gives_none():
    rows = perception_gap([p(POL, SOC, S1, 0.5)], {(SOC, S1): (0, 0)})
    (row,) = rows
    assert row.actual_share is None
    assert row.gap is None
    assert row.actual_votes == 0
    assert row.predicted_mean == 0.5


def test_missing_actual_gives_none():
    (row,) = perception_gap([p(POL, SOC, S2, 0.1)], {(SOC, S1): (1, 2)})
    assert row.actual_share is None and row.gap is None


def test_actual_is_looked_up_for_target_not_predictor():
    rows = perception_gap([p(POL, SOC, S1, 0.5)], {(POL, S1): (0, 4), (SOC, S1): (4, 4)})
    assert rows[0].actual_share == 1.0


def test_rows_in_first_appearance_order():
    predictions = [
        p(SOC, POL, S2, 0.1),
        p(POL, SOC, S1, 0.2),
        p(SOC, POL, S2, 0.3),
        p(POL, SOC, S2, 0.4),
    ]
    rows = perception_gap(predictions, {})
    assert [(r.statement, r.predictor_community) for r in rows] == [
        (S2, SOC),
        (S1, POL),
        (S2, POL),
    ]
    assert rows[0].n_predictions == 2
    assert rows[0].predicted_mean == pytest.approx(0.2)


def test_bounds_inclusive_and_ints_accepted():
    rows = perception_gap([p(POL, SOC, S1, 0), p(POL, SOC, S1, 1)], {(SOC, S1): (1, 2)})
    assert rows[0].predicted_mean == 0.5
    assert rows[0].gap == 0.0


def test_empty():
    assert perception_gap([], {(SOC, S1): (1, 2)}) == []


@pytest.mark.parametrize("share", [-0.01, 1.01, math.nan, math.inf, "0.5", None, True])
def test_invalid_prediction(share):
    with pytest.raises(ValueError, match="predicted_share"):
        perception_gap([p(POL, SOC, S1, share)], {})


@pytest.mark.parametrize("tally", [(5, 4), (-1, 3), (1, -1), (1.5, 3), (1,), "ab", None])
def test_invalid_actual(tally):
    with pytest.raises(ValueError, match="actual"):
        perception_gap([p(POL, SOC, S1, 0.5)], {(SOC, S1): tally})


def test_frozen():
    row = perception_gap([p(POL, SOC, S1, 0.5)], {})[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.gap = 0.0  # type: ignore[misc]


def test_mean_abs_gap():
    predictions = [p(POL, SOC, S1, 0.2), p(POL, SOC, S2, 0.9), p(POL, SOC, "s3", 0.5)]
    actual = {(SOC, S1): (6, 10), (SOC, S2): (5, 10)}  # s3 has no tally -> left out
    summary = mean_abs_gap(perception_gap(predictions, actual))
    assert summary == {(POL, SOC): pytest.approx((0.4 + 0.4) / 2)}
    assert mean_abs_gap([]) == {}


@given(
    st.lists(st.floats(min_value=0, max_value=1), min_size=1, max_size=30),
    st.integers(0, 50).flatmap(lambda v: st.tuples(st.integers(0, v), st.just(v))),
)
def test_properties(shares, tally):
    agrees, votes = tally
    (row,) = perception_gap([p(POL, SOC, S1, s) for s in shares], {(SOC, S1): tally})
    assert row.n_predictions == len(shares)
    assert 0.0 <= row.predicted_mean <= 1.0
    if votes == 0:
        assert row.actual_share is None and row.gap is None
    else:
        assert row.actual_share == agrees / votes
        assert -1.0 <= row.gap <= 1.0
        assert row.gap == pytest.approx(row.predicted_mean - row.actual_share)
