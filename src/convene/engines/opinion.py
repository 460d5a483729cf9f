"""Opinion-map engine (Pol.is-style): positions, groups, representative statements.

numpy + scipy only (no Django). See docs/opinion-map.md and POLIS_MATH.md.

Vote sign is the Pol.is *export* sign: agree = +1, disagree = -1, pass = 0.
A later vote (by timestamp; equal timestamps: later row) replaces an earlier
one by the same participant on the same statement.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import numpy as np

from .opinion_core import MODES, analyze_table, breakdown, check_params, moderated_mask
from .opinion_model import (
    Breakdown,
    GroupSummary,
    OpinionMap,
    RepresentativeStatement,
    StatementStats,
)
from .opinion_state import OpinionState
from .opinion_stats import priority
from .opinion_votes import OpinionInputError, prepare, time_ordered_rows

__all__ = [
    "priority",
    "MODES",
    "Breakdown",
    "GroupSummary",
    "OpinionInputError",
    "OpinionMap",
    "OpinionState",
    "RepresentativeStatement",
    "StatementStats",
    "analyze",
    "breakdown",
]


def analyze(
    votes,
    *,
    statements,
    moderated_out=(),
    attributes: Mapping | None = None,
    k: int | None = None,
    seed: int = 0,
    mode: str = "polis",
    replay: bool = False,
) -> OpinionMap:
    """Compute the opinion map of one conversation.

    votes: rows (participant, statement, value, timestamp) as a sequence of
        tuples or an (n, 4) array (an (n, 3) array uses row order as time).
        Values use the export sign: agree = +1, disagree = -1, pass = 0.
    statements: every statement id of the conversation (votes on others are an error).
    moderated_out: statement ids excluded from representative/consensus lists;
        their votes count as 0 in the projection. Unknown ids are ignored.
    attributes: optional participant id -> label (e.g. community slug); the
        result then carries the same per-group statistics by label.
    k: fixed number of opinion groups, or None for Pol.is's silhouette choice.
    seed: the same input and seed always give the same output.
    mode: "polis" (default, Pol.is's formulas) or "convene" (moderated-out
        statements do not count in the sparsity scaling).
    replay: recompute the groups along the vote timestamps as Pol.is's stateful
        math worker does (warm-started k-means, k adopted after 4 consecutive wins);
        deterministic, one projection per checkpoint, meant for conversations up to
        a few hundred thousand votes.
    Raises OpinionInputError (a ValueError) on input it cannot interpret.
    """
    started = time.perf_counter()
    check_params(k, seed, mode)
    if not isinstance(replay, bool | np.bool_):
        raise OpinionInputError(f"replay must be True or False, got {replay!r}")
    if attributes is not None and not isinstance(attributes, Mapping):
        raise OpinionInputError("attributes must be a mapping participant id -> label")
    table = prepare(votes, statements)
    moderated = moderated_mask(table.statement_ids, moderated_out)
    return analyze_table(
        table,
        moderated=moderated,
        attributes=attributes,
        k=k,
        seed=int(seed),
        mode=mode,
        started=started,
        replay_rows=time_ordered_rows(votes) if replay else None,
    )
