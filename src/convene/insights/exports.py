"""CSV export of a community's insights: aggregates only, small cells already suppressed.

Long format (one value per line) so a spreadsheet can pivot it: section, measure, dimension,
category, period, value. Hidden cells are written as "< 5", exactly as on the page. No names.
"""

from __future__ import annotations

import csv
import io

from convene.communities.models import Community

from . import selectors
from .periods import Period

HEADER = ["section", "measure", "dimension", "category", "period", "value"]


def _safe(value) -> str:
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _num(x) -> str:
    if x is None:
        return "< 5 people"
    if isinstance(x, float):
        return f"{x:.4f}"
    return str(x)


def _breakdown_rows(section: str, b, when: str) -> list[list]:
    rows = []
    if b.hidden:
        rows.append([section, "people", b.label, "(hidden for privacy)", when, ""])
    else:
        for c in b.cells:
            rows.append([section, "people", b.label, c.label, when, c.display])
        rows.append([section, "total", b.label, "", when, str(b.total)])
    rows.append([section, "blau", b.label, "", when, _num(b.blau)])
    rows.append([section, "evenness", b.label, "", when, _num(b.evenness)])
    return rows


def _write(rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([_safe(v) for v in row])
    return out.getvalue()


def context_csv(community: Community, context: str) -> str:
    """One session, response or project: who was in the room, each group, and voice. No names
    (the "not yet heard" list stays on the page), and nothing about voice for anonymous responses."""
    r = selectors.context_report(community, context, with_names=False)
    rows: list[list] = [
        ["context", "title", "", "", context, r.title],
        ["context", "kind", "", "", context, r.kind],
        ["context", "people", "", "", context, str(selectors.equity.suppress(r.population))],
    ]
    for b in r.representation:
        rows += _breakdown_rows("representation", b, context)
    for g in r.groups:
        rows.append(["groups", "people", "", g.label, context, str(g.size)])
        for dim, label in r.dimension_labels.items():
            rows.append(["groups", "blau", label, g.label, context, _num(g.blau.get(dim))])
    if r.groups:
        for dim, label in r.dimension_labels.items():
            rows.append(["groups", "largest deviation from the room", label, "", context, _num(r.deviation.get(dim))])
    if r.voice is None:
        rows.append(["voice", "not recorded", "", "", context, "anonymous response"])
    else:
        rows += _voice_rows(r.voice, context, "people", r.voice.figures["members"])
    return _write(rows)


def _voice_rows(v, when: str, noun: str, population) -> list[list]:
    """Voice figures of a community period or of one context ("members" or "people")."""
    rows = [
        ["voice", noun, "", "", when, str(population)],
        ["voice", "contributions", "", "", when, str(v.contributions_shown)],
        ["voice", f"{noun} heard", "", "", when, str(v.shown["heard"])],
        ["voice", f"{noun} not yet heard", "", "", when, str(v.shown["not_heard"])],
        ["voice", "contribution gini", "", "", when, _num(v.gini)],
        ["voice", "share heard", "", "", when, str(v.share_shown)],
    ]
    for k in v.by_kind:
        rows.append(["voice", "people", "kind", k.label, when, str(k.people)])
        rows.append(["voice", "contributions", "kind", k.label, when, str(k.entries)])
    return rows


def community_csv(community: Community, period: Period) -> str:
    board = selectors.community_dashboard(community, period, full=True)
    rep, voice, opp, trend = board.representation, board.voice, board.opportunities, board.trend
    now = "now"
    rows: list[list] = []
    rows.append(["representation", "members", "", "", now, str(rep.population)])
    for b in rep.breakdowns:
        rows += _breakdown_rows("representation", b, now)
    for row in trend.rows:
        m = row["month"]
        rows.append(["trend", "members", "", "", m, str(row["members"])])
        for key, value in row["blau"].items():
            rows.append(["trend", "blau", trend.labels[key], "", m, _num(value)])
        rows.append(["trend", "contribution gini", "", "", m, _num(row["gini"])])
        rows.append(["trend", "share heard", "", "", m, _num(row["heard"])])
        rows.append(["trend", "members heard", "", "", m, str(row["contributors"])])
        rows.append(["trend", "contributions", "", "", m, str(row["contributions"])])
        rows.append(["trend", "opportunities", "", "", m, str(row["opportunities"])])
        rows.append(["trend", "people given an opportunity", "", "", m, str(row["opportunity_people"])])
    p = f"{period.start.isoformat()}/{period.end.isoformat()}"
    rows += _voice_rows(voice, p, "members", rep.population)
    rows += [
        ["opportunities", "opportunities", "", "", p, str(opp.entries_shown)],
        ["opportunities", "members with one", "", "", p, str(opp.shown["with"])],
        ["opportunities", "members without one in the period", "", "", p, str(opp.shown["without"])],
        ["opportunities", "members who never had one", "", "", "ever", str(opp.shown["never"])],
        ["opportunities", "gini", "", "", p, _num(opp.gini)],
    ]
    for k in opp.by_kind:
        rows.append(["opportunities", "people", "kind", k.label, p, str(k.people)])
        rows.append(["opportunities", "opportunities", "kind", k.label, p, str(k.entries)])
    return _write(rows)
