"""The voting page's reads: the next statement (one algorithm, a per-revision pool in the cache) and my votes."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from django.core.cache import cache
from django.db import connection

from convene.engines.opinion import priority

from ..models import JointResponse, Participant, Statement, StatementState, Vote
from ..shared_cache import pool_key

# The next statement: drawn in proportion to the engine's priority among the accepted statements
# the participant has not voted on. The priorities (from the statement counters and extremities
# the map worker stores) are the response's *pool*, computed once per map revision and kept in
# Django's cache, shared by every process. Per request the only other read is one query for the
# participant's own done statement ids and the texts of the statements drawn (`next_statement`).
POOL_SECONDS = 5  # extremities are stored just after the revision moves: rebuild now and then


@dataclass(frozen=True)
class Pool:
    """A response's accepted statements (`ids`, ascending) and their cumulative priority, as of one
    map revision."""

    ids: np.ndarray
    cumulative: np.ndarray


def statement_pool(response: JointResponse, *, cached: Pool | None = None) -> Pool:
    """The response's pool as of its revision: from the cache, else read (one query) and cached.

    `cached` is what the caller already read from the cache under `pool_key(response)` (with other
    keys, in one round trip), if anything. Kept on the response object for the rest of the request
    (a vote checks its statement against the pool, then draws the next statement from it: one
    cache read for both)."""
    memo = getattr(response, "_pool", None)
    if memo is not None and memo[0] == response.revision:
        return memo[1]
    key = pool_key(response)
    pool = cached if isinstance(cached, Pool) else cache.get(key)
    if pool is None:
        rows = list(
            Statement.objects.filter(response_id=response.pk, state=StatementState.ACCEPTED)
            .order_by("id")
            .values_list("id", "n_agree", "n_disagree", "n_pass", "extremity")
        )
        pool = Pool(*_priorities(rows))
        cache.set(key, pool, timeout=POOL_SECONDS)
    response._pool = (response.revision, pool)
    return pool


def statement_votable(response: JointResponse, statement_id: int, *, cached: Pool | None = None) -> bool:
    """Whether the statement is accepted in this response, as of the response's revision."""
    return bool((statement_pool(response, cached=cached).ids == statement_id).any())


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


# How many draws a vote makes before it reads anything: the texts of the statements drawn are read
# in the same query as what the participant is done with, and the first drawn that is left to them
# is the next statement. Only a participant done with every statement drawn costs a second read.
CANDIDATES = 8


def next_statement(response: JointResponse, participant: Participant | None, rng=None) -> tuple[Statement | None, int]:
    """The next statement for this participant (None when nothing is left) and how many remain.

    Left for a participant: the accepted statements they neither voted on nor wrote themselves;
    the next one is drawn among them in proportion to the engine's priority.

    The one next-statement algorithm: the vote page, its htmx fragment, the API's vote and
    next routes and the home page all call it. Reads the pool (cache), then in one query what the
    participant is done with and the texts of `CANDIDATES` statements drawn from the whole pool in
    proportion to their priority. The first of those draws that is left to the participant is a
    draw among the statements left, in proportion to their priority (draws from the whole pool
    that miss the statements left are simply discarded); when every draw missed, it draws again
    among the statements left, and reads that statement's text.
    """
    pool = statement_pool(response)
    if not len(pool.ids):
        return None, 0
    rng = rng_for(rng)
    drawn = [] if pool.cumulative[-1] <= 0 else pool.ids[_draw(pool.cumulative, rng, CANDIDATES)].tolist()
    done, texts = _done_and_texts(response.pk, participant.pk if participant else None, list(dict.fromkeys(drawn)))
    remaining = len(pool.ids) - _count_in(pool.ids, done)
    if not remaining:
        return None, 0
    chosen = next((i for i in drawn if i in texts and i not in done), None)
    if chosen is not None:
        return Statement.from_db(connection.alias, _FIELDS, (chosen, response.pk, texts[chosen])), remaining
    left = ~np.isin(pool.ids, list(done))
    weights = np.cumsum(np.diff(pool.cumulative, prepend=0.0)[left])
    position = 0 if weights[-1] <= 0 else int(_draw(weights, rng, 1)[0])
    return _statement_by_id(int(pool.ids[left][position])), remaining


def _count_in(sorted_ids: np.ndarray, ids: set[int]) -> int:
    """How many of `ids` are in `sorted_ids` (ascending, as the pool keeps its ids)."""
    if not ids:
        return 0
    wanted = np.fromiter(ids, dtype=np.int64, count=len(ids))
    at = np.searchsorted(sorted_ids, wanted).clip(max=len(sorted_ids) - 1)
    return int((sorted_ids[at] == wanted).sum())


# The reads of every vote, in plain SQL through Django's cursor: building them with the ORM costs
# ten times as much CPU as running them (bench/profile_vote.py), and they never change. What the
# participant is done with (the statements they voted on and those they wrote: nobody is asked to
# vote on their own statement), over two index ranges and with no text; and the candidates' texts.
_DONE = (
    "SELECT statement_id, NULL FROM deliberation_vote WHERE response_id = %s AND participant_id = %s "
    "UNION ALL SELECT id, NULL FROM deliberation_statement WHERE response_id = %s AND author_id = %s"
)
_CANDIDATE_TEXTS = "SELECT id, text FROM deliberation_statement WHERE response_id = %s AND id IN ({})"
_STATEMENT = "SELECT id, response_id, text FROM deliberation_statement WHERE id = %s"
_FIELDS = ["id", "response_id", "text"]


def _done_and_texts(response_id: int, participant_id: int | None, candidates: list[int]) -> tuple[set[int], dict]:
    """({ids of the statements this participant voted on or wrote}, {candidate id: text}), one query."""
    parts, params = [], []
    if participant_id is not None:
        parts.append(_DONE)
        params += [response_id, participant_id, response_id, participant_id]
    if candidates:
        parts.append(_CANDIDATE_TEXTS.format(", ".join(["%s"] * len(candidates))))
        params += [response_id, *candidates]
    if not parts:
        return set(), {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    return {i for i, text in rows if text is None}, {i: text for i, text in rows if text is not None}


def _statement_by_id(statement_id: int) -> Statement:
    """The statement's id, response and text (the rest deferred)."""
    with connection.cursor() as cursor:
        cursor.execute(_STATEMENT, [statement_id])
        row = cursor.fetchone()
    if row is None:
        raise Statement.DoesNotExist(f"No statement {statement_id}.")
    return Statement.from_db(connection.alias, _FIELDS, row)


def my_votes(response: JointResponse, participant: Participant | None) -> list[tuple[Statement, int]]:
    if participant is None:
        return []
    votes = Vote.objects.filter(participant=participant).select_related("statement").order_by("-updated_at")
    return [(v.statement, v.value) for v in votes]
