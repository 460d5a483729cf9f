"""Turn raw vote rows into a deduplicated, participant-major sparse layout.

Pure numpy. Everything downstream works on the arrays built here, so this is
where bad input is rejected (one exception type, a ValueError subclass).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .opinion_threads import sort_int64

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


def _statement_index(stmt_ids: np.ndarray, sid: np.ndarray) -> np.ndarray:
    """Index of each vote's statement in stmt_ids (sorted); unknown ids are an error.

    A lookup table when the ids are dense (database keys), else a binary search.
    """
    if len(sid) == 0:
        return np.zeros(0, np.int32)
    if len(stmt_ids) == 0:
        raise OpinionInputError(f"vote on unknown statement {int(sid[0])}")
    lo, hi = int(stmt_ids[0]), int(stmt_ids[-1])
    if hi - lo < max(8 * len(stmt_ids), 1 << 16):
        lut = np.full(hi - lo + 1, -1, dtype=np.int32)
        lut[stmt_ids - lo] = np.arange(len(stmt_ids), dtype=np.int32)
        if int(sid.min()) < lo or int(sid.max()) > hi:
            inside = (sid >= lo) & (sid <= hi)
            raise OpinionInputError(f"vote on unknown statement {int(sid[~inside][0])}")
        s_idx = lut[sid - lo]
        bad = s_idx < 0
    else:
        s_idx = np.searchsorted(stmt_ids, sid)
        bad = s_idx >= len(stmt_ids)
        bad[~bad] = stmt_ids[s_idx[~bad]] != sid[~bad]
        s_idx = s_idx.astype(np.int32)
    if bad.any():
        raise OpinionInputError(f"vote on unknown statement {int(sid[bad][0])}")
    return s_idx


def _latest_per_pair(
    p_idx: np.ndarray, s_idx: np.ndarray, n_s: int, n_p: int, tord: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray | None] | None:
    """Rows (positions in time order) of the latest vote per (participant, statement), sorted by
    pair, and (when cheap) the pair keys p * n_s + s of those rows.

    None when the rows are already unique and sorted by pair in time order (nothing to do).
    The pair key and the row's time rank are packed into one int64 whenever they fit, so
    a single value sort (much faster than an argsort) both groups the pairs and orders
    each pair's rows by time: the last row of each run is the vote that wins.
    """
    n = len(p_idx)
    if n < 2:
        return None
    key = p_idx * n_s + s_idx if tord is None else p_idx[tord] * n_s + s_idx[tord]
    if bool(np.all(key[1:] > key[:-1])):
        return None
    pos_bits = (n - 1).bit_length()
    if (max(n_p * n_s - 1, 1)).bit_length() + pos_bits <= 63:
        key <<= pos_bits
        key |= np.arange(n, dtype=np.int64)
        key = sort_int64(key)
        mask = np.int64((1 << pos_bits) - 1)
        pairs = key >> pos_bits
        last = np.empty(n, dtype=bool)
        np.not_equal(pairs[1:], pairs[:-1], out=last[:-1])
        last[-1] = True
        pairs = pairs[last]
        key = key[last]
        key &= mask
        return key, pairs
    order = np.argsort(key, kind="stable")  # stable: time order within each pair
    ks = key[order]
    last = np.r_[ks[1:] != ks[:-1], True]
    return order[last], None


def statement_ids_of(statements) -> np.ndarray:
    arr = np.asarray(list(statements) if not isinstance(statements, np.ndarray) else statements)
    if arr.size == 0:
        return np.empty(0, np.int64)
    return np.unique(_as_int_ids(arr.ravel(), "statement"))


def time_ordered_rows(votes) -> np.ndarray:
    """Raw vote rows as an (n, 4) float array in time order (stable); call after `prepare` validated them."""
    arr = _as_matrix(votes)
    out = np.empty((arr.shape[0], 4), dtype=np.float64)
    for i in range(3):
        out[:, i] = _as_int_ids(arr[:, i], "vote") if i < 2 else _values(arr[:, 2])
    out[:, 3] = arr[:, 3].astype(np.float64) if arr.shape[1] == 4 else np.arange(arr.shape[0])
    return out[np.argsort(out[:, 3], kind="stable")]


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

    s_idx = _statement_index(stmt_ids, sid)
    p_ids, p_idx = _index_of(pid)
    del pid, sid
    n_s = max(len(stmt_ids), 1)

    # Put rows in time order (stable, so equal timestamps keep input order); the
    # last row of each (participant, statement) pair in that order wins.
    unsorted = n > 1 and bool(np.any(t[1:] < t[:-1]))
    tord = np.argsort(t, kind="stable") if unsorted else None
    found = _latest_per_pair(p_idx, s_idx, n_s, len(p_ids), tord)
    pos, pairs = (None, None) if found is None else found
    del found
    if tord is not None:
        pos = tord if pos is None else tord[pos]
    if pairs is not None:
        # The sorted pair keys give participant and statement sequentially: no random gathers.
        p_idx = pairs // n_s
        pairs -= p_idx * n_s
        s_idx = pairs.astype(np.int32)
        del pairs
    elif pos is not None:
        p_idx, s_idx = p_idx[pos], s_idx[pos]
    if pos is not None:
        val, t = val[pos], t[pos]
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
