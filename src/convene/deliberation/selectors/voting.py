"""The voting page's reads: the next statement (one algorithm, a per-revision pool in the cache) and my votes."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from django.core.cache import cache

from convene.engines.opinion import priority

from ..models import JointResponse, Participant, Statement, StatementState, Vote

# The next statement: drawn in proportion to the engine's priority among the accepted statements
# the participant has not voted on. The priorities (from the statement counters and extremities
# the map worker stores) are the response's *pool*, computed once per map revision and kept in
# Django's cache, shared by every process. Per request the only other reads are the
# participant's own voted statement ids (one index range) and the chosen statement's text.
POOL_SECONDS = 5  # extremities are stored just after the revision moves: rebuild now and then
_POOL_KEY = "deliberation:pool:{}:{}:{}"


@dataclass(frozen=True)
class Pool:
    """A response's accepted statements (`ids`) and their cumulative priority, as of one map revision."""

    ids: np.ndarray
    cumulative: np.ndarray


def statement_pool(response: JointResponse) -> Pool:
    """The response's pool as of its revision: from the cache, else read (one query) and cached."""
    key = _POOL_KEY.format(response.pk, response.secret[:12], response.revision)
    pool = cache.get(key)
    if pool is None:
        rows = list(
            Statement.objects.filter(response_id=response.pk, state=StatementState.ACCEPTED).values_list(
                "id", "n_agree", "n_disagree", "n_pass", "extremity"
            )
        )
        pool = Pool(*_priorities(rows))
        cache.set(key, pool, timeout=POOL_SECONDS)
    return pool


def _priorities(rows) -> tuple[np.ndarray, np.ndarray]:
    """(ids, cumulative engine priority) of (id, n_agree, n_disagree, n_pass, extremity) rows."""
    arr = np.asarray(rows, dtype=np.float64).reshape(-1, 5)
    weights = priority(arr[:, 1], arr[:, 3], arr[:, 1] + arr[:, 2] + arr[:, 3], arr[:, 4])
    return arr[:, 0].astype(np.int64), np.cumsum(weights)


def _draw(cumulative: np.ndarray, rng, n: int) -> np.ndarray:
    """n positions drawn with replacement in proportion to the priorities."""
    drawn = np.searchsorted(cumulative, rng.random(n) * cumulative[-1], side="right")
    return drawn.clip(max=len(cumulative) - 1)


_local = threading.local()


def rng_for(rng) -> np.random.Generator:
    """The caller's generator or seed; else one per thread (seeding a new one costs more than the draw)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is not None:
        return np.random.default_rng(rng)
    if not hasattr(_local, "rng"):
        _local.rng = np.random.default_rng()
    return _local.rng


def next_statement(response: JointResponse, participant: Participant | None, rng=None) -> tuple[Statement | None, int]:
    """The next statement for this participant (None when nothing is left) and how many remain.

    Left for a participant: the accepted statements they neither voted on nor wrote themselves.

    The one next-statement algorithm: the vote page, its htmx fragment, the API's vote and
    next routes and the home page all call it. Reads the pool (cache), at most one aggregate of
    the participant's votes, and the chosen statement's text.
    """
    pool = statement_pool(response)
    if not len(pool.ids):
        return None, 0
    rng = rng_for(rng)
    weights = pool.cumulative
    left = np.ones(len(pool.ids), dtype=bool)
    if participant is not None:
        left = ~np.isin(pool.ids, np.fromiter(_done(response, participant), dtype=np.int64))
        if not left.any():
            return None, 0
        weights = np.cumsum(np.diff(pool.cumulative, prepend=0.0)[left])
    position = 0 if weights[-1] <= 0 else int(_draw(weights, rng, 1)[0])
    return _statement_by_id(int(pool.ids[left][position])), int(left.sum())


def _done(response: JointResponse, participant: Participant):
    """Ids of the statements this participant voted on or wrote (nobody is asked to vote on their
    own statement), in one query."""
    voted = Vote.objects.filter(response_id=response.pk, participant_id=participant.pk).values_list("statement_id")
    written = Statement.objects.filter(response_id=response.pk, author_id=participant.pk).values_list("id")
    return (row[0] for row in voted.order_by().union(written.order_by(), all=True))


def _statement_by_id(statement_id: int) -> Statement:
    return Statement.objects.only("id", "response_id", "text").get(pk=statement_id)


def my_votes(response: JointResponse, participant: Participant | None) -> list[tuple[Statement, int]]:
    if participant is None:
        return []
    votes = Vote.objects.filter(participant=participant).select_related("statement").order_by("-updated_at")
    return [(v.statement, v.value) for v in votes]
