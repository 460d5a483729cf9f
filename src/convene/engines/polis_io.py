"""Read and write Pol.is export folders (votes.csv, comments.csv, participants-votes.csv).

Pure Python + numpy (no Django), so the CLI, the web app and the benchmarks
share it. Signs are the export's: agree = +1, disagree = -1, pass = 0, which
is also the opinion engine's API sign. Timestamps are Pol.is's milliseconds.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from convene.core.spreadsheet import spreadsheet_safe

from .opinion_votes import prepare

VOTES_HEADER = ["timestamp", "datetime", "comment-id", "voter-id", "vote"]
COMMENTS_HEADER = [
    "timestamp",
    "datetime",
    "comment-id",
    "author-id",
    "agrees",
    "disagrees",
    "moderated",
    "comment-body",
]
PV_FIXED = ["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"]


class PolisFormatError(ValueError):
    """A Pol.is export folder or CSV that cannot be read."""


@dataclass(frozen=True)
class PolisExport:
    votes: np.ndarray  # (n, 4) int64: participant, statement, value, timestamp
    statements: np.ndarray  # statement ids, ascending
    moderated_out: tuple[int, ...]
    texts: dict[int, str] = field(default_factory=dict)
    group_ids: dict[int, int | None] = field(default_factory=dict)  # from participants-votes.csv
    source: str = "votes.csv"

    def analyze_kwargs(self) -> dict:
        """Keyword arguments for `convene.engines.opinion.analyze`."""
        return {
            "votes": self.votes,
            "statements": self.statements,
            "moderated_out": self.moderated_out,
        }


def _int(value: str, what: str, where: str) -> int:
    try:
        return int(value.strip())
    except (ValueError, AttributeError):
        pass
    try:  # "12.0" from spreadsheets
        f = float(value)
        if f.is_integer():
            return int(f)
    except (ValueError, TypeError):
        pass
    raise PolisFormatError(f"{where}: {what} must be an integer, got {value!r}")


def _vote(value: str, where: str) -> int:
    v = _int(value, "vote", where)
    if v not in (-1, 0, 1):
        raise PolisFormatError(f"{where}: unknown vote value {value!r} (expected 1, -1 or 0)")
    return v


def _rows(path: Path, required: Iterable[str]) -> tuple[list[str], Iterable[list[str]]]:
    try:
        fh = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise PolisFormatError(f"cannot read {path}: {exc.strerror or exc}") from None
    reader = csv.reader(fh)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        fh.close()
        raise PolisFormatError(f"{path.name}: file is empty (no header row)") from None
    except (csv.Error, UnicodeDecodeError) as exc:
        fh.close()
        raise PolisFormatError(f"{path.name}: not a readable CSV file ({exc})") from None
    missing = [c for c in required if c not in header]
    if missing:
        fh.close()
        raise PolisFormatError(f"{path.name}: missing column(s) {', '.join(missing)}")

    def gen():
        with fh:
            try:
                yield from reader
            except (csv.Error, UnicodeDecodeError) as exc:
                raise PolisFormatError(f"{path.name}: malformed CSV ({exc})") from None

    return header, gen()


def read_comments(path: Path) -> tuple[dict[int, str], set[int]]:
    header, rows = _rows(path, ["comment-id"])
    col = {h: i for i, h in enumerate(header)}
    texts: dict[int, str] = {}
    moderated: set[int] = set()
    for n, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        where = f"{path.name} line {n}"
        if len(row) <= col["comment-id"]:
            raise PolisFormatError(f"{where}: too few fields")
        cid = _int(row[col["comment-id"]], "comment-id", where)
        body = row[col["comment-body"]] if "comment-body" in col and len(row) > col["comment-body"] else ""
        texts[cid] = body
        mod = row[col["moderated"]].strip() if "moderated" in col and len(row) > col["moderated"] else ""
        if mod and _int(mod, "moderated", where) < 0:
            moderated.add(cid)
    return texts, moderated


def read_votes(path: Path) -> np.ndarray:
    header, rows = _rows(path, ["comment-id", "voter-id", "vote"])
    col = {h: i for i, h in enumerate(header)}
    c_s, c_p, c_v = col["comment-id"], col["voter-id"], col["vote"]
    c_t = col.get("timestamp")
    width = max(c_s, c_p, c_v, -1 if c_t is None else c_t) + 1
    out = []
    for n, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        where = f"{path.name} line {n}"
        if len(row) < width:
            raise PolisFormatError(f"{where}: too few fields")
        t = _int(row[c_t], "timestamp", where) if c_t is not None else n
        out.append(
            (
                _int(row[c_p], "voter-id", where),
                _int(row[c_s], "comment-id", where),
                _vote(row[c_v], where),
                t,
            )
        )
    return np.array(out, dtype=np.int64).reshape(-1, 4)


def read_participants_votes(path: Path) -> tuple[np.ndarray, dict[int, int | None]]:
    """Votes (timestamps = row order: the file holds only final votes) and group-ids."""
    header, rows = _rows(path, ["participant"])
    col = {h: i for i, h in enumerate(header)}
    stmt_cols = []
    for i, h in enumerate(header):
        if h in PV_FIXED or h == "":
            continue
        try:
            stmt_cols.append((i, int(h)))
        except ValueError:
            raise PolisFormatError(f"{path.name}: column {h!r} is not a comment id") from None
    out, groups = [], {}
    c_p, c_g = col["participant"], col.get("group-id")
    for n, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        where = f"{path.name} line {n}"
        pid = _int(row[c_p], "participant", where)
        if c_g is not None and c_g < len(row):
            g = row[c_g].strip()
            groups[pid] = _int(g, "group-id", where) if g else None
        for i, sid in stmt_cols:
            if i < len(row) and row[i].strip():
                out.append((pid, sid, _vote(row[i], where), n))
    return np.array(out, dtype=np.int64).reshape(-1, 4), groups


def read_polis(folder: str | Path) -> PolisExport:
    """Load an export folder: votes.csv (preferred) or participants-votes.csv, plus comments.csv."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PolisFormatError(f"{folder} is not a directory")
    votes_p, pv_p, com_p = (folder / n for n in ("votes.csv", "participants-votes.csv", "comments.csv"))
    if not com_p.exists():
        raise PolisFormatError(f"{folder}: comments.csv is missing")
    if not votes_p.exists() and not pv_p.exists():
        raise PolisFormatError(f"{folder}: needs votes.csv or participants-votes.csv")
    texts, moderated = read_comments(com_p)
    groups: dict[int, int | None] = {}
    if pv_p.exists():
        pv_votes, groups = read_participants_votes(pv_p)
    if votes_p.exists():
        votes, source = read_votes(votes_p), "votes.csv"
    else:
        votes, source = pv_votes, "participants-votes.csv"
    # Statements: every comment, plus any voted-on id missing from comments.csv.
    statements = np.union1d(np.fromiter(texts, dtype=np.int64, count=len(texts)), votes[:, 1])
    return PolisExport(
        votes=votes,
        statements=statements.astype(np.int64),
        moderated_out=tuple(sorted(moderated)),
        texts=texts,
        group_ids=groups,
        source=source,
    )


def _datetime(ms) -> str:
    try:
        return dt.datetime.fromtimestamp(float(ms) / 1000.0, dt.UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
    except (OverflowError, OSError, ValueError):
        return ""


def _num(x):
    x = float(x)
    return int(x) if x.is_integer() else x


def write_polis(
    folder: str | Path,
    *,
    votes,
    statements: Mapping[int, str] | Iterable[int],
    moderated_out: Iterable[int] = (),
    groups: Mapping[int, int | None] | None = None,
    authors: Mapping[int, int] | None = None,
    created: Mapping[int, float] | None = None,
) -> None:
    """Write votes.csv, comments.csv and participants-votes.csv (Pol.is's layout).

    votes: rows (participant, statement, value, timestamp-ms) in the export sign;
    re-votes are kept in votes.csv, the latest one goes to participants-votes.csv.
    statements: id -> text (or just ids). groups: participant -> group id (optional).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    texts = dict(statements) if isinstance(statements, Mapping) else {int(s): "" for s in statements}
    arr = np.asarray(votes, dtype=np.float64).reshape(-1, 4) if len(votes) else np.empty((0, 4))
    table = prepare(arr, list(texts))
    mod = {int(s) for s in moderated_out}
    authors, created, groups = authors or {}, created or {}, groups or {}
    order = np.argsort(arr[:, 3], kind="stable")
    with (folder / "votes.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(VOTES_HEADER)
        for p, s, v, t in arr[order].tolist():
            w.writerow([_num(t), _datetime(t), int(s), int(p), int(v)])
    sids = table.statement_ids
    na = np.bincount(table.s[table.v == 1], minlength=len(sids))
    nd = np.bincount(table.s[table.v == -1], minlength=len(sids))
    with (folder / "comments.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COMMENTS_HEADER)
        for j, sid in enumerate(sids.tolist()):
            t = created.get(sid, "")
            w.writerow(
                [
                    _num(t) if t != "" else "",
                    _datetime(t) if t != "" else "",
                    sid,
                    authors.get(sid, ""),
                    int(na[j]),
                    int(nd[j]),
                    -1 if sid in mod else 0,
                    spreadsheet_safe(texts.get(sid, "")),  # a comment is the only free text
                ]
            )
    authored: dict[int, int] = {}
    for a in authors.values():
        authored[int(a)] = authored.get(int(a), 0) + 1
    with (folder / "participants-votes.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(PV_FIXED + [str(s) for s in sids.tolist()])
        for i, pid in enumerate(table.participant_ids.tolist()):
            a, b = table.indptr[i], table.indptr[i + 1]
            cells = [""] * len(sids)
            for s, v in zip(table.s[a:b].tolist(), table.v[a:b].tolist(), strict=True):
                cells[s] = str(v)
            row_v = table.v[a:b]
            g = groups.get(pid)
            w.writerow(
                [
                    pid,
                    "" if g is None else int(g),
                    authored.get(pid, 0),
                    int(b - a),
                    int((row_v == 1).sum()),
                    int((row_v == -1).sum()),
                ]
                + cells
            )
