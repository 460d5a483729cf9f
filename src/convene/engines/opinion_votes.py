"""Turn raw vote rows into a deduplicated, participant-major sparse layout.

Pure numpy. Everything downstream works on the arrays built here, so this is
where bad input is rejected (one exception type, a ValueError subclass).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

AGREE, PASS, DISAGREE = 1, 0, -1  # export sign (Pol.is CSV): agree = +1


class OpinionInputError(ValueError):
    """Votes or statements that the engine cannot interpret."""


@dataclass(frozen=True)
class VoteTable:
    """Deduplicated votes sorted by (participant, statement): a CSR layout.

    p/s are indices into participant_ids/statement_ids (both sorted ascending),
    so relabelling ids with an order-preserving map changes nothing inside.
    """

    participant_ids: np.ndarray  # int64, sorted, only participants with >= 1 vote
    statement_ids: np.ndarray  # int64, sorted, every statement of the conversation
    p: np.ndarray  # int64 participant index per vote
    s: np.ndarray  # int32 statement index per vote
    v: np.ndarray  # int8 value per vote (-1, 0, 1)
    t: np.ndarray  # float64 timestamp per vote (input order if none given)
    indptr: np.ndarray  # int64, len n_participants + 1

    @property
    def n_participants(self) -> int:
        return len(self.participant_ids)

    @property
    def n_statements(self) -> int:
        return len(self.statement_ids)


def _as_int_ids(col: np.ndarray, what: str) -> np.ndarray:
    if col.dtype.kind in "iu":
        return col.astype(np.int64, copy=False)
    if col.dtype.kind == "b":
        raise OpinionInputError(f"{what} ids must be integers, got booleans")
    if col.dtype.kind == "f":
        if not np.all(np.isfinite(col)) or not np.all(col == np.floor(col)):
            raise OpinionInputError(f"{what} ids must be integers")
        return col.astype(np.int64)
    try:  # object/str columns: accept "12" but not "abc"
        out = np.array([int(x) for x in col], dtype=np.int64)
    except (TypeError, ValueError, OverflowError) as exc:
        raise OpinionInputError(f"{what} ids must be integers: {exc}") from None
    return out


def _as_matrix(votes) -> np.ndarray:
    """Accept an (n, 3|4) array or a sequence of tuples; never copies an int array."""
    if isinstance(votes, np.ndarray):
        arr = votes
    else:
        rows = votes if isinstance(votes, list | tuple) else list(votes)
        if len(rows) == 0:
            return np.empty((0, 4), dtype=np.float64)
        try:
            arr = np.asarray(rows)
        except ValueError as exc:  # ragged rows
            raise OpinionInputError(f"votes must all have the same length: {exc}") from None
    if arr.size == 0:
        return np.empty((0, 4), dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] not in (3, 4):
        raise OpinionInputError(
            f"votes must be rows of (participant, statement, value[, timestamp]); got shape {arr.shape}"
        )
    return arr


def _values(col: np.ndarray) -> np.ndarray:
    if col.dtype.kind == "b":
        raise OpinionInputError("vote values must be -1, 0 or 1, got booleans")
    if col.dtype.kind not in "iuf":
        try:
            col = col.astype(np.float64)
        except (TypeError, ValueError):
            raise OpinionInputError("vote values must be -1, 0 or 1 (numbers)") from None
    ok = (col == 1) | (col == 0) | (col == -1)
    if not np.all(ok):
        bad = col[~ok][0]
        raise OpinionInputError(f"unknown vote value {bad!r}: expected 1 (agree), -1, or 0")
    return col.astype(np.int8)


def _index_of(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sorted unique ids, index of each id). Linear-time path for dense DB keys."""
    if len(ids) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    lo, hi = int(ids.min()), int(ids.max())
    if lo >= 0 and hi < max(4 * len(ids), 1 << 20):
        present = np.zeros(hi + 1, dtype=bool)
        present[ids] = True
        uniq = np.flatnonzero(present).astype(np.int64)
        lookup = np.cumsum(present, dtype=np.int64) - 1
        return uniq, lookup[ids]
    uniq, inv = np.unique(ids, return_inverse=True)
    return uniq.astype(np.int64), inv.astype(np.int64)


def statement_ids_of(statements) -> np.ndarray:
    arr = np.asarray(list(statements) if not isinstance(statements, np.ndarray) else statements)
    if arr.size == 0:
        return np.empty(0, np.int64)
    return np.unique(_as_int_ids(arr.ravel(), "statement"))


def prepare(votes, statements) -> VoteTable:
    """Validate, dedupe (latest timestamp wins, ties by input order) and sort."""
    arr = _as_matrix(votes)
    stmt_ids = statement_ids_of(statements)
    n = arr.shape[0]
    pid = _as_int_ids(arr[:, 0], "participant")
    sid = _as_int_ids(arr[:, 1], "statement")
    val = _values(arr[:, 2])
    if arr.shape[1] == 4:
        t = arr[:, 3]
        if t.dtype.kind not in "iuf":
            try:
                t = t.astype(np.float64)
            except (TypeError, ValueError):
                raise OpinionInputError("timestamps must be numbers") from None
        t = t.astype(np.float64, copy=False)
        if not np.all(np.isfinite(t)):
            raise OpinionInputError("timestamps must be finite numbers")
    else:
        t = np.arange(n, dtype=np.float64)

    s_idx = np.searchsorted(stmt_ids, sid)
    known = s_idx < len(stmt_ids)
    known[known] = stmt_ids[s_idx[known]] == sid[known]
    if not np.all(known):
        raise OpinionInputError(f"vote on unknown statement {int(sid[~known][0])}")
    p_ids, p_idx = _index_of(pid)
    n_s = max(len(stmt_ids), 1)

    # Put rows in time order (stable, so equal timestamps keep input order); the
    # last row of each (participant, statement) pair in that order wins.
    unsorted = n > 1 and bool(np.any(t[1:] < t[:-1]))
    tord = np.argsort(t, kind="stable") if unsorted else None
    key = p_idx * n_s + s_idx
    if tord is not None:
        key = key[tord]
    if n > 1 and not np.all(key[1:] > key[:-1]):
        order = np.argsort(key)  # unstable is fine: we take the max position below
        ks = key[order]
        starts = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]])
        pos = order if len(starts) == n else np.maximum.reduceat(order, starts)
        del order, ks
    else:
        pos = None
    if tord is not None:
        pos = tord if pos is None else tord[pos]
    del key
    if pos is not None:
        p_idx, s_idx, val, t = p_idx[pos], s_idx[pos], val[pos], t[pos]
        del pos
    indptr = np.zeros(len(p_ids) + 1, dtype=np.int64)
    np.cumsum(np.bincount(p_idx, minlength=len(p_ids)), out=indptr[1:])
    return VoteTable(
        participant_ids=p_ids,
        statement_ids=stmt_ids,
        p=p_idx,
        s=s_idx.astype(np.int32, copy=False),
        v=np.ascontiguousarray(val),
        t=np.ascontiguousarray(t),
        indptr=indptr,
    )
