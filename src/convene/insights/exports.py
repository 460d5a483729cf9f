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


def community_csv(community: Community, period: Period) -> str:
    board = selectors.community_dashboard(community, period, full=True)
    rep, voice, opp, trend = board.representation, board.voice, board.opportunities, board.trend
    now = "now"
    rows: list[list] = []
    rows.append(["representation", "members", "", "", now, str(rep.population)])
    for b in rep.breakdowns:
        if b.hidden:
            rows.append(["representation", "people", b.label, "(hidden for privacy)", now, ""])
        else:
            for c in b.cells:
                rows.append(["representation", "people", b.label, c.label, now, c.display])
            rows.append(["representation", "total", b.label, "", now, str(b.total)])
        rows.append(["representation", "blau", b.label, "", now, _num(b.blau)])
        rows.append(["representation", "evenness", b.label, "", now, _num(b.evenness)])
    for row in trend.rows:
        m = row["month"]
        rows.append(["trend", "members", "", "", m, str(row["members"])])
        for key, value in row["blau"].items():
            rows.append(["trend", "blau", trend.labels[key], "", m, _num(value)])
        rows.append(["trend", "contribution gini", "", "", m, _num(row["gini"])])
        rows.append(["trend", "share heard", "", "", m, _num(row["heard"])])
        rows.append(["trend", "contributions", "", "", m, str(row["contributions"])])
        rows.append(["trend", "opportunities", "", "", m, str(row["opportunities"])])
        rows.append(["trend", "people given an opportunity", "", "", m, str(row["opportunity_people"])])
    p = f"{period.start.isoformat()}/{period.end.isoformat()}"
    rows += [
        ["voice", "members", "", "", p, str(rep.population)],
        ["voice", "contributions", "", "", p, str(voice.contributions)],
        ["voice", "members heard", "", "", p, str(voice.shown["heard"])],
        ["voice", "members not yet heard", "", "", p, str(voice.shown["not_heard"])],
        ["voice", "contribution gini", "", "", p, _num(voice.gini)],
        ["voice", "share heard", "", "", p, _num(voice.heard)],
    ]
    for k in voice.by_kind:
        rows.append(["voice", "contributions", "kind", k.label, p, str(k.entries)])
    rows += [
        ["opportunities", "opportunities", "", "", p, str(opp.entries)],
        ["opportunities", "members with one", "", "", p, str(opp.shown["with"])],
        ["opportunities", "members without one in the period", "", "", p, str(opp.shown["without"])],
        ["opportunities", "members who never had one", "", "", "ever", str(opp.shown["never"])],
        ["opportunities", "gini", "", "", p, _num(opp.gini)],
    ]
    for k in opp.by_kind:
        rows.append(["opportunities", "opportunities", "kind", k.label, p, str(k.entries)])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([_safe(v) for v in row])
    return out.getvalue()
