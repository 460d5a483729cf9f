"""Incremental opinion state for one conversation (the web app keeps one per conversation).

add_vote / next_statement / counts are O(1) or O(statements); the expensive
projection + clustering runs only in recompute(), which also refreshes the
statement extremities that the next-statement priority uses.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from . import opinion_stats as S
from .opinion_core import analyze_table, check_params, moderated_mask
from .opinion_model import OpinionMap
from .opinion_votes import OpinionInputError, VoteTable, prepare


class OpinionState:
    """Votes of one conversation with instant counts and next-statement priority.

    Build it with `OpinionState(votes, statements=..., moderated_out=...)`
    (same inputs as `analyze`); then `add_vote`, `next_statement`, `counts`,
    and `recompute()` (alias `map()`) for the full OpinionMap.
    """

    def __init__(self, votes=(), *, statements, moderated_out=(), seed: int = 0, mode: str = "polis"):
        check_params(None, seed, mode)
        self.seed, self.mode = int(seed), mode
        self._mod_ids = set(int(s) for s in moderated_out)
        self._load(prepare(votes, statements))
        self._extremity = np.zeros(len(self._sids))
        self._refresh_priority()
        self.last_map: OpinionMap | None = None

    # -- internal layout -------------------------------------------------
    def _load(self, table: VoteTable) -> None:
        self._table = table
        self._sids = table.statement_ids.copy()  # new statements are appended
        self._s_index = {int(s): j for j, s in enumerate(self._sids)}
        self._moderated = moderated_mask(self._sids, list(self._mod_ids))
        n_s = len(self._sids)
        self._na = np.bincount(table.s[table.v == 1], minlength=n_s).astype(np.int64)
        self._nd = np.bincount(table.s[table.v == -1], minlength=n_s).astype(np.int64)
        self._nv = np.bincount(table.s, minlength=n_s).astype(np.int64)
        self._new_pids: dict[int, int] = {}  # participants first seen after the table
        self._overlay: dict[int, dict[int, tuple[int, float]]] = {}  # pidx -> sidx -> (v, t)
        self._log: list[tuple[int, int, int, float]] = []
        self._tmax = float(table.t.max()) if len(table.t) else 0.0

    def _pidx(self, pid: int, create: bool) -> int | None:
        ids = self._table.participant_ids
        i = int(np.searchsorted(ids, pid))
        if i < len(ids) and ids[i] == pid:
            return i
        if pid in self._new_pids:
            return self._new_pids[pid]
        if not create:
            return None
        j = len(ids) + len(self._new_pids)
        self._new_pids[pid] = j
        return j

    def _previous(self, pidx: int, sidx: int) -> tuple[int, float] | None:
        over = self._overlay.get(pidx)
        if over is not None and sidx in over:
            return over[sidx]
        tb = self._table
        if pidx < tb.n_participants and sidx < tb.n_statements:
            a, b = tb.indptr[pidx], tb.indptr[pidx + 1]
            k = a + int(np.searchsorted(tb.s[a:b], sidx))
            if k < b and tb.s[k] == sidx:
                return int(tb.v[k]), float(tb.t[k])
        return None

    def _refresh_priority(self, j=None) -> None:
        sl = slice(None) if j is None else j
        na, nd, nv = self._na[sl], self._nd[sl], self._nv[sl]
        prio = S.priority(na, nv - na - nd, nv, self._extremity[sl])
        if j is None:
            self._priority = np.where(self._moderated, 0.0, prio)
        else:
            self._priority[j] = 0.0 if self._moderated[j] else prio

    # -- public API ------------------------------------------------------
    def add_statement(self, statement: int, *, moderated_out: bool = False) -> None:
        """Register a new statement (no-op if known)."""
        sid = int(statement)
        if sid in self._s_index:
            return
        self._s_index[sid] = len(self._sids)
        self._sids = np.append(self._sids, sid)
        self._moderated = np.append(self._moderated, bool(moderated_out))
        if moderated_out:
            self._mod_ids.add(sid)
        for name in ("_na", "_nd", "_nv"):
            setattr(self, name, np.append(getattr(self, name), 0))
        self._extremity = np.append(self._extremity, 0.0)
        self._priority = np.append(self._priority, 0.0)
        self._refresh_priority(len(self._sids) - 1)

    def moderate(self, statement: int, out: bool = True) -> None:
        """Moderate a statement out (or back in); takes effect in priority at once."""
        j = self._sindex(statement)
        self._moderated[j] = bool(out)
        (self._mod_ids.add if out else self._mod_ids.discard)(int(statement))
        self._refresh_priority(j)

    def _sindex(self, statement) -> int:
        try:
            return self._s_index[int(statement)]
        except (KeyError, TypeError, ValueError):
            raise OpinionInputError(f"unknown statement {statement!r}") from None

    def add_vote(self, participant: int, statement: int, value: int, timestamp: float | None = None) -> bool:
        """Record a vote (export sign). Returns False if an existing later vote wins.

        timestamp None means "now": it replaces any earlier vote.
        """
        if isinstance(value, bool) or value not in (1, 0, -1):
            raise OpinionInputError(f"unknown vote value {value!r}: expected 1, -1 or 0")
        if isinstance(participant, bool) or not isinstance(participant, int | np.integer):
            raise OpinionInputError(f"participant ids must be integers, got {participant!r}")
        j = self._sindex(statement)
        t = self._tmax if timestamp is None else float(timestamp)
        if not np.isfinite(t):
            raise OpinionInputError("timestamps must be finite numbers")
        i = self._pidx(int(participant), create=True)
        prev = self._previous(i, j)
        if prev is not None:
            if prev[1] > t:
                return False
            pv = prev[0]
            self._na[j] -= pv == 1
            self._nd[j] -= pv == -1
            self._nv[j] -= 1
        v = int(value)
        self._na[j] += v == 1
        self._nd[j] += v == -1
        self._nv[j] += 1
        self._overlay.setdefault(i, {})[j] = (v, t)
        self._log.append((int(participant), int(statement), v, t))
        self._tmax = max(self._tmax, t)
        self._refresh_priority(j)
        return True

    def voted(self, participant: int) -> np.ndarray:
        """Statement ids this participant has voted on."""
        i = self._pidx(int(participant), create=False)
        if i is None:
            return np.zeros(0, np.int64)
        return self._sids[self._voted_mask(i)]

    def _voted_mask(self, i: int) -> np.ndarray:
        mask = np.zeros(len(self._sids), dtype=bool)
        tb = self._table
        if i < tb.n_participants:
            mask[tb.s[tb.indptr[i] : tb.indptr[i + 1]]] = True
        over = self._overlay.get(i)
        if over:
            mask[list(over)] = True
        return mask

    def next_statement(self, participant: int, rng=None) -> int | None:
        """Sample an unseen, not moderated-out statement with probability ~ priority."""
        rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        i = self._pidx(int(participant), create=False)
        cand = ~self._moderated
        if i is not None:
            cand &= ~self._voted_mask(i)
        idx = np.flatnonzero(cand)
        if len(idx) == 0:
            return None
        w = np.cumsum(self._priority[idx])
        pick = int(np.searchsorted(w, rng.random() * w[-1], side="right"))
        return int(self._sids[idx[min(pick, len(idx) - 1)]])

    def counts(self, statement: int) -> dict[str, int]:
        j = self._sindex(statement)
        na, nd, nv = int(self._na[j]), int(self._nd[j]), int(self._nv[j])
        return {"agree": na, "disagree": nd, "pass": nv - na - nd, "votes": nv}

    def priority(self, statement: int | None = None):
        """Priority of one statement, or a dict id -> priority for all."""
        if statement is not None:
            return float(self._priority[self._sindex(statement)])
        return dict(zip(self._sids.tolist(), self._priority.tolist(), strict=True))

    @property
    def statements(self) -> np.ndarray:
        return self._sids.copy()

    @property
    def n_participants(self) -> int:
        return self._table.n_participants + len(self._new_pids)

    def votes_array(self) -> np.ndarray:
        """All votes as an (n, 4) float array (participant, statement, value, timestamp)."""
        tb = self._table
        base = np.column_stack([tb.participant_ids[tb.p], tb.statement_ids[tb.s], tb.v, tb.t]).astype(np.float64)
        if not self._log:
            return base
        return np.vstack([base, np.asarray(self._log, dtype=np.float64)])

    def recompute(
        self, *, k: int | None = None, seed: int | None = None, attributes: Mapping | None = None
    ) -> OpinionMap:
        """Full projection + groups; refreshes extremities (and so priorities)."""
        seed = self.seed if seed is None else seed
        check_params(k, seed, self.mode)
        if self._log or self._table.n_statements != len(self._sids):
            # Rebuild the table: new votes are merged by the same latest-wins rule.
            table = prepare(self.votes_array(), self._sids)
        else:
            table = self._table
        self._load(table)
        m = analyze_table(
            table,
            moderated=self._moderated.copy(),
            attributes=attributes,
            k=k,
            seed=int(seed),
            mode=self.mode,
        )
        self._extremity = np.array(m.extremity, dtype=np.float64)
        self._refresh_priority()
        self.last_map = m
        return m

    map = recompute
