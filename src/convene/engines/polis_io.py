"""Read and write Pol.is export folders (votes.csv, comments.csv, participants-votes.csv).

Pure Python + numpy (no Django), so the CLI, the web app and the benchmarks
share it. Signs are the export's: agree = +1, disagree = -1, pass = 0, which
is also the opinion engine's API sign. Timestamps are Pol.is's milliseconds.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

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
    """A Pol.is export folder, zip or CSV that cannot be read.

    `str(exc)` is the English sentence (for the command line). The engine stays free of Django, so a
    caller that words messages in the reader's language gets the sentence's pieces instead:
    `template` (a str.format pattern, the same for every occurrence) and `params` (file names,
    line numbers, column names and figures, never words to translate)."""

    def __init__(self, template: str, **params):
        self.template = template
        self.params = params
        super().__init__(template.format(**params))


POLIS_FILES = ("comments.csv", "votes.csv", "participants-votes.csv")
COMMENT_ID = re.compile(r"^\d+$")
# Pol.is's comments.csv `moderated`: 1 accepted by a moderator, 0 not moderated, -1 moderated out.
ACCEPTED, UNMODERATED, MODERATED_OUT = 1, 0, -1


@dataclass(frozen=True)
class ZipLimits:
    """What an uploaded zip may hold: every check runs before or while a member is read."""

    max_members: int = 20
    max_member_bytes: int = 50 * 1024 * 1024  # uncompressed, per CSV
    max_total_bytes: int = 100 * 1024 * 1024  # uncompressed, all CSVs
    max_ratio: int = 200  # uncompressed / compressed, per CSV (a zip bomb's tell)


@dataclass(frozen=True)
class PolisExport:
    votes: np.ndarray  # (n, 4) int64: participant, statement, value, timestamp
    statements: np.ndarray  # statement ids, ascending
    moderated_out: tuple[int, ...]
    texts: dict[int, str] = field(default_factory=dict)
    group_ids: dict[int, int | None] = field(default_factory=dict)  # from participants-votes.csv
    source: str = "votes.csv"
    moderation: dict[int, int] = field(default_factory=dict)  # comment id -> 1, 0 or -1
    authors: dict[int, int] = field(default_factory=dict)  # comment id -> author participant id
    created: dict[int, int] = field(default_factory=dict)  # comment id -> timestamp (ms)
    metadata_columns: tuple[str, ...] = ()  # participants-votes.csv columns beyond Pol.is's fixed ones

    def analyze_kwargs(self) -> dict:
        """Keyword arguments for `convene.engines.opinion.analyze`."""
        return {
            "votes": self.votes,
            "statements": self.statements,
            "moderated_out": self.moderated_out,
        }


def _int(value: str, what: str, where: tuple[str, int]) -> int:
    try:
        return int(value.strip())
    except (ValueError, AttributeError):
        pass
    try:  # "12.0" from spreadsheets
        f = float(value)
        if f.is_integer():
            return int(f)
    except (ValueError, TypeError, OverflowError):
        pass
    raise PolisFormatError(
        "{file} line {line}: {column} must be an integer, got {value}",
        file=where[0],
        line=where[1],
        column=what,
        value=repr(str(value)[:40]),
    )


def _vote(value: str, where: tuple[str, int]) -> int:
    v = _int(value, "vote", where)
    if v not in (-1, 0, 1):
        raise PolisFormatError(
            "{file} line {line}: unknown vote value {value} (expected 1, -1 or 0)",
            file=where[0],
            line=where[1],
            value=repr(value),
        )
    return v


@dataclass(frozen=True)
class _Csv:
    """One CSV by name: a file on disk or bytes (an upload, a zip member)."""

    name: str
    path: Path | None = None
    data: bytes | None = None

    def open(self) -> TextIO:
        if self.data is not None:
            try:
                text = self.data.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise PolisFormatError("{file}: not UTF-8 text", file=self.name) from None
            return io.StringIO(text, newline="")
        assert self.path is not None
        try:
            return self.path.open(newline="", encoding="utf-8-sig")
        except OSError as exc:
            raise PolisFormatError(
                "cannot read {path}: {reason}", path=str(self.path), reason=exc.strerror or str(exc)
            ) from None


def _source(path) -> _Csv:
    return path if isinstance(path, _Csv) else _Csv(name=Path(path).name, path=Path(path))


def _rows(source: _Csv, required: Iterable[str]) -> tuple[list[str], Iterable[list[str]]]:
    fh = source.open()
    reader = csv.reader(fh)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        fh.close()
        raise PolisFormatError("{file}: file is empty (no header row)", file=source.name) from None
    except (csv.Error, UnicodeDecodeError) as exc:
        fh.close()
        raise PolisFormatError(
            "{file}: not a readable CSV file ({reason})", file=source.name, reason=str(exc)
        ) from None
    missing = [c for c in required if c not in header]
    if missing:
        fh.close()
        raise PolisFormatError("{file}: missing column(s) {columns}", file=source.name, columns=", ".join(missing))

    def gen():
        with fh:
            try:
                yield from reader
            except (csv.Error, UnicodeDecodeError) as exc:
                raise PolisFormatError("{file}: malformed CSV ({reason})", file=source.name, reason=str(exc)) from None

    return header, gen()


@dataclass(frozen=True)
class Comments:
    texts: dict[int, str]
    moderation: dict[int, int]
    authors: dict[int, int]
    created: dict[int, int]

    @property
    def moderated_out(self) -> set[int]:
        return {cid for cid, m in self.moderation.items() if m < 0}


def read_comment_rows(path) -> Comments:
    source = _source(path)
    header, rows = _rows(source, ["comment-id"])
    col = {h: i for i, h in enumerate(header)}
    out = Comments(texts={}, moderation={}, authors={}, created={})

    def cell(row, name):
        return row[col[name]].strip() if name in col and len(row) > col[name] else ""

    for n, row in enumerate(rows, start=2):
        if not any(c.strip() for c in row):
            continue
        where = (source.name, n)
        if len(row) <= col["comment-id"]:
            raise PolisFormatError("{file} line {line}: too few fields", file=where[0], line=where[1])
        cid = _int(row[col["comment-id"]], "comment-id", where)
        out.texts[cid] = row[col["comment-body"]] if "comment-body" in col and len(row) > col["comment-body"] else ""
        mod = cell(row, "moderated")
        out.moderation[cid] = max(-1, min(1, _int(mod, "moderated", where))) if mod else UNMODERATED
        if author := cell(row, "author-id"):
            out.authors[cid] = _int(author, "author-id", where)
        if stamp := cell(row, "timestamp"):
            out.created[cid] = _int(stamp, "timestamp", where)
    return out


def read_comments(path) -> tuple[dict[int, str], set[int]]:
    comments = read_comment_rows(path)
    return comments.texts, comments.moderated_out


def read_votes(path) -> np.ndarray:
    source = _source(path)
    header, rows = _rows(source, ["comment-id", "voter-id", "vote"])
    col = {h: i for i, h in enumerate(header)}
    c_s, c_p, c_v = col["comment-id"], col["voter-id"], col["vote"]
    c_t = col.get("timestamp")
    width = max(c_s, c_p, c_v, -1 if c_t is None else c_t) + 1
    out = []
    for n, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        where = (source.name, n)
        if len(row) < width:
            raise PolisFormatError("{file} line {line}: too few fields", file=where[0], line=where[1])
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


def participants_votes_columns(header: list[str]) -> tuple[list[tuple[int, int]], list[str]]:
    """(column index, comment id) of every comment column, and the names of the other columns
    beyond Pol.is's fixed ones (PV_FIXED).

    Only a whole number heads a comment column; everything else (Pol.is's fixed columns, and
    what newer exports add, such as `xid` after `participant`) is metadata about the participant.
    """
    comments, metadata = [], []
    for i, h in enumerate(header):
        if COMMENT_ID.match(h):
            comments.append((i, int(h)))
        elif h and h not in PV_FIXED:
            metadata.append(h)
    return comments, metadata


def read_participants_votes(path, *, with_metadata: bool = False):
    """Votes (timestamps = row order: the file holds only final votes) and group-ids (and, with
    `with_metadata`, the names of the columns that are not comment ids)."""
    source = _source(path)
    header, rows = _rows(source, ["participant"])
    col = {h: i for i, h in enumerate(header)}
    stmt_cols, metadata = participants_votes_columns(header)
    out, groups = [], {}
    c_p, c_g = col["participant"], col.get("group-id")
    for n, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        where = (source.name, n)
        if len(row) <= c_p:
            raise PolisFormatError("{file} line {line}: too few fields", file=where[0], line=where[1])
        pid = _int(row[c_p], "participant", where)
        if c_g is not None and c_g < len(row):
            g = row[c_g].strip()
            groups[pid] = _int(g, "group-id", where) if g else None
        for i, sid in stmt_cols:
            if i < len(row) and row[i].strip():
                out.append((pid, sid, _vote(row[i], where), n))
    votes = np.array(out, dtype=np.int64).reshape(-1, 4)
    return (votes, groups, tuple(metadata)) if with_metadata else (votes, groups)


def _read(sources: Mapping[str, _Csv], folder: str | None) -> PolisExport:
    """`folder` names the export in messages; None for uploaded files ("the export")."""
    if "comments.csv" not in sources:
        if folder is None:
            raise PolisFormatError("the export: comments.csv is missing")
        raise PolisFormatError("{folder}: comments.csv is missing", folder=folder)
    if "votes.csv" not in sources and "participants-votes.csv" not in sources:
        if folder is None:
            raise PolisFormatError("the export: needs votes.csv or participants-votes.csv")
        raise PolisFormatError("{folder}: needs votes.csv or participants-votes.csv", folder=folder)
    comments = read_comment_rows(sources["comments.csv"])
    groups: dict[int, int | None] = {}
    metadata: tuple[str, ...] = ()
    if "participants-votes.csv" in sources:
        pv_votes, groups, metadata = read_participants_votes(sources["participants-votes.csv"], with_metadata=True)
    if "votes.csv" in sources:
        votes, source = read_votes(sources["votes.csv"]), "votes.csv"
    else:
        votes, source = pv_votes, "participants-votes.csv"
    texts = comments.texts
    # Statements: every comment, plus any voted-on id missing from comments.csv.
    statements = np.union1d(np.fromiter(texts, dtype=np.int64, count=len(texts)), votes[:, 1])
    return PolisExport(
        votes=votes,
        statements=statements.astype(np.int64),
        moderated_out=tuple(sorted(comments.moderated_out)),
        texts=texts,
        group_ids=groups,
        source=source,
        moderation=comments.moderation,
        authors=comments.authors,
        created=comments.created,
        metadata_columns=metadata,
    )


def read_polis(folder: str | Path) -> PolisExport:
    """Load an export folder: votes.csv (preferred) or participants-votes.csv, plus comments.csv."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PolisFormatError("{folder} is not a directory", folder=str(folder))
    sources = {n: _Csv(name=n, path=folder / n) for n in POLIS_FILES if (folder / n).exists()}
    return _read(sources, str(folder))


def read_polis_files(files: Mapping[str, bytes]) -> PolisExport:
    """Load an export from its files' bytes, keyed by file name (other names are ignored)."""
    sources = {n: _Csv(name=n, data=data) for n, data in files.items() if n in POLIS_FILES}
    return _read(sources, None)


def unzip_polis(data: bytes, limits: ZipLimits = ZipLimits()) -> dict[str, bytes]:
    """The Pol.is CSVs inside a zip (at its root or in one folder), read within `limits`.

    Refuses, with a PolisFormatError, what is not a zip, too many members, encrypted members, the
    same CSV twice, and members whose size (declared or actually inflated: the count stops one
    byte past the limit) or compression ratio is beyond the limits.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise PolisFormatError("the upload is not a readable zip file") from None
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_members:
            raise PolisFormatError("the zip holds {count} files; a Pol.is export has at most 3", count=len(members))
        found: dict[str, bytes] = {}
        total = 0
        for info in members:
            name = info.filename.replace("\\", "/").rsplit("/", 1)[-1]
            if info.is_dir() or name not in POLIS_FILES:
                continue
            if name in found:
                raise PolisFormatError("the zip holds {file} more than once", file=name)
            if info.flag_bits & 0x1:
                raise PolisFormatError("{file} in the zip is encrypted", file=name)
            if info.file_size > limits.max_member_bytes or total + info.file_size > limits.max_total_bytes:
                raise PolisFormatError(
                    "{file} is too large ({size} bytes unpacked)", file=name, size=f"{info.file_size:,}"
                )
            if info.file_size > 1_000_000 and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                raise PolisFormatError(
                    "{file} is compressed suspiciously well: refused as a possible zip bomb", file=name
                )
            budget = min(limits.max_member_bytes, limits.max_total_bytes - total)
            try:
                with archive.open(info) as fh:
                    content = fh.read(budget + 1)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError, zlib.error) as exc:
                raise PolisFormatError(
                    "{file} in the zip cannot be read ({reason})", file=name, reason=str(exc)
                ) from None
            if len(content) > budget:
                raise PolisFormatError("{file} is too large once unpacked", file=name)
            total += len(content)
            found[name] = content
    if not found:
        raise PolisFormatError("the zip holds none of comments.csv, votes.csv, participants-votes.csv")
    return found


STATEMENT_HEADERS = ("comment-body", "statement", "text", "statements", "comment")


def read_statement_rows(data: bytes) -> list[tuple[int, str]]:
    """(line number, text) of each statement in a CSV: the column headed comment-body (a Pol.is
    comments.csv), statement or text, or else the first column of a file without such a header.
    Blank rows are skipped; texts are returned as written (the caller checks their length)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PolisFormatError("the statements CSV is not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    out: list[tuple[int, str]] = []
    column = 0
    try:
        for n, row in enumerate(reader, start=1):
            if n == 1:
                names = [h.strip().lower() for h in row]
                found = next((h for h in STATEMENT_HEADERS if h in names), None)
                if found is not None:
                    column = names.index(found)
                    continue
            if len(row) > column and row[column].strip():
                out.append((n, row[column]))
    except csv.Error as exc:
        raise PolisFormatError("the statements CSV is not readable ({reason})", reason=str(exc)) from None
    return out


def _datetime(ms) -> str:
    try:
        return dt.datetime.fromtimestamp(float(ms) / 1000.0, dt.UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
    except (OverflowError, OSError, ValueError):
        return ""


def _ms(x) -> int:
    """A timestamp as Pol.is writes it: whole milliseconds."""
    return int(np.floor(float(x)))


def write_polis(
    folder: str | Path,
    *,
    votes,
    statements: Mapping[int, str] | Iterable[int],
    moderated_out: Iterable[int] = (),
    accepted: Iterable[int] = (),
    groups: Mapping[int, int | None] | None = None,
    authors: Mapping[int, int] | None = None,
    created: Mapping[int, float] | None = None,
) -> None:
    """Write votes.csv, comments.csv and participants-votes.csv (Pol.is's layout).

    votes: rows (participant, statement, value, timestamp-ms) in the export sign;
    re-votes are kept in votes.csv, the latest one goes to participants-votes.csv.
    statements: id -> text (or just ids). groups: participant -> group id (optional).
    comments.csv's `moderated` is 1 for `accepted`, -1 for `moderated_out`, 0 for the rest; every
    timestamp is written in whole milliseconds, as Pol.is does.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    texts = dict(statements) if isinstance(statements, Mapping) else {int(s): "" for s in statements}
    arr = np.asarray(votes, dtype=np.float64).reshape(-1, 4) if len(votes) else np.empty((0, 4))
    table = prepare(arr, list(texts))
    mod = {int(s) for s in moderated_out}
    ok = {int(s) for s in accepted} - mod
    authors, created, groups = authors or {}, created or {}, groups or {}
    order = np.argsort(arr[:, 3], kind="stable")
    with (folder / "votes.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(VOTES_HEADER)
        for p, s, v, t in arr[order].tolist():
            w.writerow([_ms(t), _datetime(t), int(s), int(p), int(v)])
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
                    _ms(t) if t != "" else "",
                    _datetime(t) if t != "" else "",
                    sid,
                    authors.get(sid, ""),
                    int(na[j]),
                    int(nd[j]),
                    MODERATED_OUT if sid in mod else ACCEPTED if sid in ok else UNMODERATED,
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
