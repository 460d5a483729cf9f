"""Spreadsheet input and text/JSON output for the breakout-groups engine.

Used by the ``convene groups`` command; pure Python (no Django).

CSV layout: a header row; the first column is the person's id, every other
column an attribute.  A column whose non-empty cells all parse as finite
numbers is numeric, any other is categorical; empty cells are missing
values.  The facilitator column (if named) holds yes/no, true/false, y/n or
1/0 (empty = no) and is not an attribute.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .grouping import Grouping, GroupingError

__all__ = [
    "CsvPeople",
    "format_groups",
    "grouping_json",
    "parse_pairs",
    "read_people_csv",
]

_TRUE = {"yes", "y", "true", "t", "1"}
_FALSE = {"no", "n", "false", "f", "0", ""}


@dataclass(frozen=True)
class CsvPeople:
    ids: list[str]
    attributes: dict[str, list[object]]
    kinds: dict[str, str]
    facilitators: list[str]


def _number(cell: str) -> float | None:
    try:
        v = float(cell)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def read_people_csv(source: str | Path, facilitator_column: str | None = None) -> CsvPeople:
    """Parse a people spreadsheet (path, or CSV text when it contains a newline)."""
    if isinstance(source, Path) or "\n" not in str(source):
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise GroupingError(f"CSV file {str(path)!r} does not exist") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise GroupingError(f"cannot read CSV file {str(path)!r}: {exc}") from None
    else:
        text = str(source)
    try:
        rows = [row for row in csv.reader(io.StringIO(text)) if any(c.strip() for c in row)]
    except csv.Error as exc:
        raise GroupingError(f"malformed CSV: {exc}") from None
    if not rows:
        raise GroupingError("the CSV is empty: expected a header row and one row per person")
    header = [h.strip() for h in rows[0]]
    if not header or not header[0]:
        raise GroupingError("the CSV header's first column (the person id) has no name")
    if any(not h for h in header):
        raise GroupingError(f"the CSV header has an empty column name: {header!r}")
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise GroupingError(f"the CSV header repeats column(s) {', '.join(dupes)}")
    if facilitator_column is not None and facilitator_column not in header[1:]:
        raise GroupingError(
            f"facilitator column {facilitator_column!r} is not in the CSV header "
            f"({', '.join(header[1:]) or 'no attribute columns'})"
        )
    body = rows[1:]
    if not body:
        raise GroupingError("the CSV has a header but no people")
    ids: list[str] = []
    seen: set[str] = set()
    columns: dict[str, list[str]] = {h: [] for h in header[1:]}
    for line_no, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise GroupingError(f"CSV row {line_no} has {len(row)} cells, the header has {len(header)}")
        pid = row[0].strip()
        if not pid:
            raise GroupingError(f"CSV row {line_no} has an empty id")
        if pid in seen:
            raise GroupingError(f"CSV row {line_no}: id {pid!r} appears twice")
        seen.add(pid)
        ids.append(pid)
        for h, cell in zip(header[1:], row[1:], strict=True):
            columns[h].append(cell.strip())
    facilitators: list[str] = []
    attributes: dict[str, list[object]] = {}
    kinds: dict[str, str] = {}
    for h, cells in columns.items():
        if h == facilitator_column:
            for pid, cell in zip(ids, cells, strict=True):
                v = cell.lower()
                if v in _TRUE:
                    facilitators.append(pid)
                elif v not in _FALSE:
                    raise GroupingError(
                        f"facilitator column {h!r}: {cell!r} for {pid!r} is not yes/no, true/false or 1/0"
                    )
            continue
        known = [c for c in cells if c]
        numbers = [_number(c) for c in known]
        if known and all(v is not None for v in numbers):
            attributes[h] = [_number(c) if c else None for c in cells]
            kinds[h] = "numeric"
        else:
            attributes[h] = [c or None for c in cells]
            kinds[h] = "categorical"
    return CsvPeople(ids=ids, attributes=attributes, kinds=kinds, facilitators=facilitators)


def parse_pairs(specs: Iterable[str], known: Sequence[Hashable], option: str) -> list[tuple]:
    """Parse ``A:B`` (or ``A:B:C``) specs into id tuples, checking every id is known.

    Ids may themselves contain ``:``; a spec is split at the colons that leave
    only known ids (it must be unambiguous)."""
    ids = {str(p): p for p in known}
    out: list[tuple] = []
    for spec in specs:
        parts = spec.split(":")
        if len(parts) >= 2 and all(p in ids for p in parts):
            out.append(tuple(ids[p] for p in parts))
            continue
        splits = [
            (spec[:i], spec[i + 1 :])
            for i, ch in enumerate(spec)
            if ch == ":" and spec[:i] in ids and spec[i + 1 :] in ids
        ]
        if len(splits) == 1:
            out.append((ids[splits[0][0]], ids[splits[0][1]]))
            continue
        if len(splits) > 1:
            raise GroupingError(f"{option} {spec!r} is ambiguous: ids contain ':'")
        if len(parts) < 2:
            raise GroupingError(f"{option} {spec!r}: expected two ids separated by ':' (A:B)")
        unknown = [p for p in parts if p not in ids]
        raise GroupingError(f"{option} {spec!r} names unknown id(s) {', '.join(repr(u) for u in unknown)}")
    return out


def grouping_json(grouping: Grouping) -> dict:
    """``{"groups": {"<id>": group}, "objective": float, "seconds": float}``."""
    return {
        "groups": {str(p): int(g) for p, g in grouping.assignment.items()},
        "objective": float(grouping.objective),
        "seconds": float(grouping.seconds),
    }


def format_groups(grouping: Grouping) -> str:
    """Human-readable composition of every group."""
    lines = []
    for comp in grouping.compositions:
        head = f"Group {comp.index + 1}: {comp.size} people"
        if grouping.problem.facilitators:
            head += f", {comp.facilitators} facilitator{'s' if comp.facilitators != 1 else ''}"
        lines.append(head)
        lines.append("  members: " + ", ".join(str(m) for m in comp.members))
        for name, counts in comp.categorical.items():
            lines.append(f"  {name}: " + ", ".join(f"{v} {c}" for v, c in counts.items()))
        for name, mean in comp.numeric.items():
            lines.append(f"  {name}: mean {'-' if mean is None else f'{mean:.2f}'}")
    lines.append(
        f"Objective (sum of within-group squared distances): {grouping.objective:.4f}  [{grouping.seconds:.3f} s]"
    )
    return "\n".join(lines)
