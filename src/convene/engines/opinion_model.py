"""Result types of the opinion-map engine: plain frozen dataclasses.

Large per-participant / per-statement data are read-only numpy arrays (cheap
for a million participants); `to_dict()` turns everything into JSON-safe
Python values (no NaN or inf: the engine never produces them, `_f` guards).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


def _f(x) -> float:
    x = float(x)
    return x if math.isfinite(x) else 0.0


def _id(x, as_str: bool):
    x = x.item() if isinstance(x, np.generic) else x
    return str(x) if as_str else x


@dataclass(frozen=True)
class RepresentativeStatement:
    statement: int  # statement id
    direction: str  # "agree" | "disagree"
    n_success: int  # agrees (or disagrees) in the group
    n_trials: int  # all votes in the group, passes included
    p: float  # pa or pd
    p_test: float  # pat or pdt
    repness: float  # ra or rd
    repness_test: float  # rat or rdt

    def to_dict(self, string_ids: bool = False, full: bool = False) -> dict:
        out = {
            "statement": _id(self.statement, string_ids),
            "direction": self.direction,
            "p": _f(self.p),
            "p_test": _f(self.p_test),
            "repness": _f(self.repness),
            "repness_test": _f(self.repness_test),
        }
        if full:
            out["n_success"], out["n_trials"] = self.n_success, self.n_trials
        return out


@dataclass(frozen=True)
class GroupSummary:
    id: object  # int for opinion groups, the attribute label for attribute groups
    size: int
    representative: tuple[RepresentativeStatement, ...]


@dataclass(frozen=True)
class StatementStats:
    """Per-(group, statement) counts and POLIS_MATH statistics, shape (G, S)."""

    groups: tuple  # group ids / attribute labels, row order
    statements: np.ndarray  # statement ids, column order
    n_agree: np.ndarray
    n_disagree: np.ndarray
    n_votes: np.ndarray  # passes included
    pa: np.ndarray
    pd: np.ndarray
    pat: np.ndarray
    pdt: np.ndarray
    ra: np.ndarray
    rd: np.ndarray
    rat: np.ndarray
    rdt: np.ndarray


@dataclass(frozen=True)
class Breakdown:
    """How a partition of participants (opinion groups or an attribute) votes."""

    groups: tuple[GroupSummary, ...]
    stats: StatementStats
    group_informed_consensus: np.ndarray  # per statement, prod_g pa_g
    spread: np.ndarray  # per statement, gap in share agreeing between groups of >= 5 votes (opinion_stats.splits)
    common_ground: tuple[int, ...]  # every group pa > 0.5, by GIC descending (<= 10)
    divisive: tuple[int, ...]  # statements that split the groups (opinion_stats.splits), by spread (<= 10)

    def to_dict(self, string_ids: bool = False) -> dict:
        sid = [_id(s, string_ids) for s in self.stats.statements]
        st = self.stats
        return {
            "groups": [
                {
                    "id": _id(g.id, False),
                    "size": g.size,
                    "representative": [r.to_dict(string_ids, full=True) for r in g.representative],
                }
                for g in self.groups
            ],
            "statements": [
                {
                    "id": sid[j],
                    "group_informed_consensus": _f(self.group_informed_consensus[j]),
                    "spread": _f(self.spread[j]),
                    "by_group": {
                        str(_id(gl, False)): {
                            "agree": int(st.n_agree[g, j]),
                            "disagree": int(st.n_disagree[g, j]),
                            "votes": int(st.n_votes[g, j]),
                            "pa": _f(st.pa[g, j]),
                            "pd": _f(st.pd[g, j]),
                        }
                        for g, gl in enumerate(st.groups)
                    },
                }
                for j in range(len(sid))
            ],
            "common_ground": [_id(s, string_ids) for s in self.common_ground],
            "divisive": [_id(s, string_ids) for s in self.divisive],
        }


@dataclass(frozen=True)
class OpinionMap:
    """Everything `analyze()` computes. Statement and participant arrays are id-sorted."""

    participants: np.ndarray  # participant ids (those with >= 1 vote), ascending
    x: np.ndarray
    y: np.ndarray
    group: np.ndarray  # opinion group id per participant, -1 = not clustered
    included: np.ndarray  # bool: passed the inclusion threshold (clustered)
    statements: np.ndarray  # statement ids, ascending
    statement_x: np.ndarray
    statement_y: np.ndarray
    extremity: np.ndarray
    moderated_out: np.ndarray  # bool per statement
    n_agree: np.ndarray  # whole-conversation counts per statement
    n_disagree: np.ndarray
    n_pass: np.ndarray
    priority: np.ndarray  # next-statement priority (0 for moderated-out)
    opinion: Breakdown  # opinion groups
    consensus_agree: tuple[int, ...]
    consensus_disagree: tuple[int, ...]
    divisive_by_extremity: tuple[int, ...]  # Pol.is's ranking (<= 10)
    by_attribute: Breakdown | None
    k: int
    silhouette: float  # -1.0 when undefined (k fixed, or < 3 base clusters)
    seed: int
    mode: str
    seconds: float = field(default=0.0, compare=False)
    replay: bool = False  # groups from replay=True (Pol.is's updates along the timestamps)

    @property
    def groups(self) -> tuple[GroupSummary, ...]:
        return self.opinion.groups

    @property
    def group_informed_consensus(self) -> np.ndarray:
        return self.opinion.group_informed_consensus

    def to_dict(self, *, string_ids: bool = False, full: bool = False) -> dict:
        """The issue's JSON shape (ids native, or strings for the CLI); full adds extras."""
        sids = [_id(s, string_ids) for s in self.statements]
        gic_keys = [str(_id(s, False)) for s in self.statements]
        gic = self.opinion.group_informed_consensus
        out = {
            "participants": [
                {
                    "id": _id(p, string_ids),
                    "x": _f(x),
                    "y": _f(y),
                    "group": None if g < 0 else int(g),
                }
                for p, x, y, g in zip(
                    self.participants.tolist(),
                    self.x.tolist(),
                    self.y.tolist(),
                    self.group.tolist(),
                    strict=True,
                )
            ],
            "groups": [
                {
                    "id": int(g.id),
                    "size": int(g.size),
                    "representative": [r.to_dict(string_ids) for r in g.representative],
                }
                for g in self.opinion.groups
            ],
            "consensus": {
                "agree": [_id(s, string_ids) for s in self.consensus_agree],
                "disagree": [_id(s, string_ids) for s in self.consensus_disagree],
            },
            "group_informed_consensus": {
                gic_keys[j]: _f(gic[j]) for j in range(len(sids)) if not self.moderated_out[j]
            },
            "statements": [
                {"id": sids[j], "x": _f(sx), "y": _f(sy), "extremity": _f(e)}
                for j, (sx, sy, e) in enumerate(
                    zip(
                        self.statement_x.tolist(),
                        self.statement_y.tolist(),
                        self.extremity.tolist(),
                        strict=True,
                    )
                )
            ],
            "seconds": _f(self.seconds),
        }
        if full:
            out.update(
                k=self.k,
                silhouette=_f(self.silhouette),
                seed=self.seed,
                mode=self.mode,
                replay=self.replay,
                divisive={
                    "extremity": [_id(s, string_ids) for s in self.divisive_by_extremity],
                    "spread": [_id(s, string_ids) for s in self.opinion.divisive],
                },
                common_ground=[_id(s, string_ids) for s in self.opinion.common_ground],
                statement_counts={
                    gic_keys[j]: {
                        "agree": int(self.n_agree[j]),
                        "disagree": int(self.n_disagree[j]),
                        "pass": int(self.n_pass[j]),
                        "priority": _f(self.priority[j]),
                        "moderated_out": bool(self.moderated_out[j]),
                    }
                    for j in range(len(sids))
                },
                by_attribute=None if self.by_attribute is None else self.by_attribute.to_dict(string_ids),
            )
        return out
