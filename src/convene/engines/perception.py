"""Perception gap for boundary joint responses.

Communities often hold stereotypes of each other. In a boundary joint
response, each member predicts, for a few key statements, what share of the
*other* community agrees; comparing the predictions with the actual votes
shows where each side misreads the other -- usually a good place to start
the conversation.

Pure Python, no Django. See ``docs/equity.md``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["GapRow", "Prediction", "mean_abs_gap", "perception_gap"]


@dataclass(frozen=True, slots=True)
class Prediction:
    """One member's guess of the share of ``target_community`` agreeing with ``statement``."""

    predictor_community: Hashable
    target_community: Hashable
    statement: Hashable
    predicted_share: float


@dataclass(frozen=True, slots=True)
class GapRow:
    """Predicted vs actual agreement for one (statement, predictor, target) triple.

    ``gap = predicted_mean - actual_share``: positive means the predictors
    think the target community agrees *more* than it does, negative less.
    ``actual_share`` and ``gap`` are None when the target community cast no
    votes on the statement (or it is absent from ``actual``); ``actual_votes``
    is then 0.
    """

    statement: Hashable
    predictor_community: Hashable
    target_community: Hashable
    predicted_mean: float
    actual_share: float | None
    gap: float | None
    n_predictions: int
    actual_votes: int = 0


def _validate_share(p: Prediction) -> float:
    s = p.predicted_share
    if isinstance(s, bool) or not isinstance(s, numbers.Real):
        raise ValueError(f"predicted_share must be a number in [0, 1]; got {s!r}")
    s = float(s)
    if not math.isfinite(s) or not 0.0 <= s <= 1.0:
        raise ValueError(
            f"predicted_share must be in [0, 1]; got {s!r} "
            f"(statement {p.statement!r}, {p.predictor_community!r} -> {p.target_community!r})"
        )
    return s


def _actual_counts(key: tuple[Any, Any], value: Any) -> tuple[int, int]:
    try:
        agrees, votes = value
    except (TypeError, ValueError) as exc:
        raise ValueError(f"actual[{key!r}] must be an (agrees, votes) pair") from exc
    for name, n in (("agrees", agrees), ("votes", votes)):
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
            raise ValueError(f"actual[{key!r}]: {name} must be a non-negative integer, got {n!r}")
    agrees, votes = int(agrees), int(votes)
    if agrees > votes:
        raise ValueError(f"actual[{key!r}]: agrees ({agrees}) exceeds votes ({votes})")
    return agrees, votes


def perception_gap(
    predictions: Iterable[Prediction],
    actual: Mapping[tuple[Hashable, Hashable], tuple[int, int]],
) -> list[GapRow]:
    """Compare mean predicted agreement with actual agreement.

    ``actual`` maps ``(community, statement)`` to ``(agrees, votes)``, where
    ``votes`` counts every vote cast, passes included -- a pass is not an
    agreement, so the actual share is ``agrees / votes``. With ``votes == 0``
    (or no entry) the actual share and the gap are None rather than a made-up
    0 or 0.5.

    Predictions are grouped by (statement, predictor community, target
    community); rows come out in order of each group's first prediction.
    Predicting one's own community is allowed and reported like any other row.

    Raises ``ValueError`` for a predicted share outside [0, 1] (or not a finite
    number) and for malformed ``actual`` entries (negative counts, agrees >
    votes). No predictions gives an empty list.
    """
    sums: dict[tuple[Any, Any, Any], list[float]] = {}
    for p in predictions:
        share = _validate_share(p)
        sums.setdefault((p.statement, p.predictor_community, p.target_community), []).append(share)

    # Validate every actual entry up front so a bad tally is caught even when
    # nobody predicted it.
    tallies = {key: _actual_counts(key, value) for key, value in actual.items()}

    rows: list[GapRow] = []
    for (statement, predictor, target), shares in sums.items():
        predicted_mean = math.fsum(shares) / len(shares)
        agrees, votes = tallies.get((target, statement), (0, 0))
        actual_share = agrees / votes if votes else None
        gap = predicted_mean - actual_share if actual_share is not None else None
        rows.append(
            GapRow(
                statement=statement,
                predictor_community=predictor,
                target_community=target,
                predicted_mean=predicted_mean,
                actual_share=actual_share,
                gap=gap,
                n_predictions=len(shares),
                actual_votes=votes,
            )
        )
    return rows


def mean_abs_gap(rows: Iterable[GapRow]) -> dict[tuple[Hashable, Hashable], float]:
    """Mean |gap| per (predictor community, target community) over statements with a gap.

    A one-number summary of how well one community reads another; pairs whose
    rows all lack an actual share are left out.
    """
    acc: dict[tuple[Any, Any], list[float]] = {}
    for row in rows:
        if row.gap is None:
            continue
        acc.setdefault((row.predictor_community, row.target_community), []).append(abs(row.gap))
    return {pair: math.fsum(v) / len(v) for pair, v in acc.items()}
