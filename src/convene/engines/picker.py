"""Breakthrough activity picker for boundary engagements.

When two practices are in conflict, what often moves them is a "breakthrough
activity": simple enough to ask only a light commitment, yet immediately
useful to *all* sides. Participants propose candidates; each rates every
candidate for usefulness to their own practice (1-5) and for the commitment
it asks (light / medium / heavy).

Ranking rule (see ``docs/equity.md``), best first:

1. complete candidates (rated by every community present) before incomplete;
2. higher **maximin usefulness** -- the mean usefulness within each
   community, minimum over communities -- so a candidate is only as good as
   it is for the least-served side;
3. lighter **commitment** -- mean of light=1, medium=2, heavy=3 over all
   ratings of the candidate;
4. higher mean usefulness over all ratings;
5. candidate id, for determinism (ids must be mutually orderable).

A community that rated some candidates but not this one makes it incomplete:
"useful to all sides" cannot be claimed without hearing every side, and
treating the silence as a low or average score would be a guess. Incomplete
candidates are listed after all complete ones (fewest missing communities
first, then by the same rule over the communities that did rate) and carry
``missing_communities``.

Pure Python, no Django. Arithmetic for ordering is done in exact fractions so
ties are real ties, not floating-point accidents.
"""

from __future__ import annotations

import numbers
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

__all__ = [
    "COMMITMENT_WEIGHTS",
    "RankedCandidate",
    "Rating",
    "rank_candidates",
]

#: Commitment levels and their weights; lower is lighter (better).
COMMITMENT_WEIGHTS: dict[str, int] = {"light": 1, "medium": 2, "heavy": 3}

USEFULNESS_MIN = 1
USEFULNESS_MAX = 5


@dataclass(frozen=True, slots=True)
class Rating:
    """One participant's rating of one candidate activity."""

    candidate: Hashable
    participant: Hashable
    community: Hashable
    usefulness: int
    commitment: str


@dataclass(frozen=True, slots=True)
class RankedCandidate:
    """A candidate with the figures that placed it where it is.

    ``min_community_usefulness`` and ``weakest_community`` are taken over the
    communities that rated it; ``complete`` is False when some community of
    the engagement did not (those are listed in ``missing_communities``).
    """

    candidate: Hashable
    min_community_usefulness: float
    weakest_community: Hashable
    per_community: dict[Any, float]
    commitment: float
    mean_usefulness: float
    complete: bool
    missing_communities: tuple[Any, ...] = ()
    n_ratings: int = 0


def _validate(rating: Rating) -> None:
    u = rating.usefulness
    if isinstance(u, bool) or not isinstance(u, numbers.Integral):
        raise ValueError(
            f"usefulness must be an integer from {USEFULNESS_MIN} to {USEFULNESS_MAX}; "
            f"got {u!r} (candidate {rating.candidate!r}, participant {rating.participant!r})"
        )
    if not USEFULNESS_MIN <= u <= USEFULNESS_MAX:
        raise ValueError(
            f"usefulness must be from {USEFULNESS_MIN} to {USEFULNESS_MAX}; got {u} "
            f"(candidate {rating.candidate!r}, participant {rating.participant!r})"
        )
    if not isinstance(rating.commitment, str) or rating.commitment not in COMMITMENT_WEIGHTS:
        raise ValueError(
            f"commitment must be one of {', '.join(COMMITMENT_WEIGHTS)}; "
            f"got {rating.commitment!r} "
            f"(candidate {rating.candidate!r}, participant {rating.participant!r})"
        )


def _sort_key_community(community: Any) -> tuple[str, str]:
    # Communities may be ids or names; a stable textual key breaks min() ties
    # deterministically without requiring them to be mutually orderable.
    return (type(community).__name__, str(community))


def rank_candidates(ratings: Iterable[Rating]) -> list[RankedCandidate]:
    """Rank candidate activities by the usefulness to the least-served community.

    See the module docstring for the rule. Raises ``ValueError`` for a
    usefulness outside 1-5 (or not an integer), an unknown commitment, the
    same participant rating the same candidate twice, or a participant
    appearing under two communities. No ratings gives an empty list.
    """
    # candidate -> community -> list of usefulness
    useful: dict[Any, dict[Any, list[int]]] = defaultdict(lambda: defaultdict(list))
    weights: dict[Any, list[int]] = defaultdict(list)
    seen: set[tuple[Any, Any]] = set()
    community_of: dict[Any, Any] = {}
    communities: dict[Any, None] = {}  # ordered set

    for rating in ratings:
        _validate(rating)
        pair = (rating.candidate, rating.participant)
        if pair in seen:
            raise ValueError(f"participant {rating.participant!r} rated candidate {rating.candidate!r} more than once")
        seen.add(pair)
        known = community_of.setdefault(rating.participant, rating.community)
        if known != rating.community:
            raise ValueError(
                f"participant {rating.participant!r} appears in communities {known!r} and {rating.community!r}"
            )
        communities[rating.community] = None
        useful[rating.candidate][rating.community].append(int(rating.usefulness))
        weights[rating.candidate].append(COMMITMENT_WEIGHTS[rating.commitment])

    ranked: list[tuple[tuple[Any, ...], RankedCandidate]] = []
    for candidate, by_community in useful.items():
        means = {c: Fraction(sum(v), len(v)) for c, v in by_community.items()}
        weakest = min(means, key=lambda c: (means[c], _sort_key_community(c)))
        all_values = [u for v in by_community.values() for u in v]
        mean_use = Fraction(sum(all_values), len(all_values))
        commitment = Fraction(sum(weights[candidate]), len(weights[candidate]))
        missing = tuple(c for c in communities if c not in by_community)
        key = (len(missing), -means[weakest], commitment, -mean_use, candidate)
        ranked.append(
            (
                key,
                RankedCandidate(
                    candidate=candidate,
                    min_community_usefulness=float(means[weakest]),
                    weakest_community=weakest,
                    per_community={c: float(m) for c, m in means.items()},
                    commitment=float(commitment),
                    mean_usefulness=float(mean_use),
                    complete=not missing,
                    missing_communities=missing,
                    n_ratings=len(all_values),
                ),
            )
        )
    ranked.sort(key=lambda pair: pair[0])
    return [rc for _, rc in ranked]
