"""CSV export of a community's insights: the same protected aggregates as the pages.

Long format (one value per line) so a spreadsheet can pivot it: section, measure, dimension,
category, period, value. Head counts are perturbed and rounded to 5 ("~10"); hidden ones are
written as "< 5", exactly as on the page. No names.
"""

from __future__ import annotations

import csv
import io

from django.utils import translation

from convene.communities.models import Community
from convene.core.spreadsheet import spreadsheet_safe

from . import selectors
from .periods import Period

HEADER = ["section", "measure", "dimension", "category", "period", "value"]


def _num(x) -> str:
    if x is None:
        return "not shown"
    if isinstance(x, float):
        return f"{x:.2f}"
    return str(x)


def _breakdown_rows(section: str, b, when: str) -> list[list]:
    rows = []
    if b.hidden:
        rows.append([section, "people", b.label, "(hidden for privacy)", when, ""])
    else:
        for c in b.cells:
            rows.append([section, "people", b.label, c.label, when, c.display])
        rows.append([section, "total", b.label, "", when, b.total.short])
    rows.append([section, "blau", b.label, "", when, _num(b.blau)])
    rows.append([section, "evenness", b.label, "", when, _num(b.evenness)])
    rows.append([section, "band", b.label, "", when, b.band or "not shown"])
    return rows


def _write(rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([spreadsheet_safe(v) for v in row])
    return out.getvalue()


def context_csv(community: Community, context: str) -> str:
    """One session, response or project: who was in the room, each group, and voice. No names
    (the "not yet heard" list stays on the page), and nothing about voice for anonymous responses."""
    with translation.override("en"):  # a machine format: the same keys and labels in every language
        return _context_csv(community, context)


def _context_csv(community: Community, context: str) -> str:
    r = selectors.context_report(community, context, with_names=False)
    rows: list[list] = [
        ["context", "title", "", "", context, r.title],
        ["context", "kind", "", "", context, r.kind],
        ["context", "people", "", "", context, r.population.short],
    ]
    for b in r.representation:
        rows += _breakdown_rows("representation", b, context)
    for g in r.groups:
        rows.append(["groups", "people", "", g.label, context, g.size.short])
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
        ["voice", noun, "", "", when, population.short],
        ["voice", "contributions", "", "", when, v.contributions_shown.short],
        ["voice", f"{noun} heard", "", "", when, v.shown["heard"].short],
        ["voice", f"{noun} not yet heard", "", "", when, v.shown["not_heard"].short],
        ["voice", "contribution gini", "", "", when, _num(v.gini)],
        ["voice", "share heard", "", "", when, v.share_shown.short],
    ]
    for k in v.by_kind:
        rows.append(["voice", "people", "kind", k.label, when, k.people.short])
        rows.append(["voice", "contributions", "kind", k.label, when, k.entries.short])
    return rows


def community_csv(community: Community, period: Period) -> str:
    with translation.override("en"):  # a machine format: the same keys and labels in every language
        return _community_csv(community, period)


def _community_csv(community: Community, period: Period) -> str:
    board = selectors.community_dashboard(community, period, full=True)
    rep, voice, opp, trend = board.representation, board.voice, board.opportunities, board.trend
    now = "now"
    rows: list[list] = []
    rows.append(["representation", "members", "", "", now, rep.population.short])
    for b in rep.breakdowns:
        rows += _breakdown_rows("representation", b, now)
    for row in trend.rows:
        m = row["month"]
        rows.append(["trend", "members", "", "", m, row["members"].short])
        for key, value in row["blau"].items():
            rows.append(["trend", "blau", trend.labels[key], "", m, _num(value)])
        rows.append(["trend", "contribution gini", "", "", m, _num(row["gini"])])
        rows.append(["trend", "share heard", "", "", m, row["heard"].short])
        rows.append(["trend", "members heard", "", "", m, row["contributors"].short])
        rows.append(["trend", "contributions", "", "", m, row["contributions"].short])
        rows.append(["trend", "opportunities", "", "", m, row["opportunities"].short])
        rows.append(["trend", "people given an opportunity", "", "", m, row["opportunity_people"].short])
    p = f"{period.start.isoformat()}/{period.end.isoformat()}"
    rows += _voice_rows(voice, p, "members", voice.figures["members"])
    shown = opp.shown
    rows += [
        ["opportunities", "members", "", "", p, shown["members"].short],
        ["opportunities", "opportunities", "", "", p, opp.entries_shown.short],
        ["opportunities", "members with one", "", "", p, shown["with"].short],
        ["opportunities", "members without one in the period", "", "", p, shown["without"].short],
        ["opportunities", "members who never had one", "", "", "ever", shown["never"].short],
        ["opportunities", "gini", "", "", p, _num(opp.gini)],
    ]
    for k in opp.by_kind:
        rows.append(["opportunities", "people", "kind", k.label, p, k.people.short])
        rows.append(["opportunities", "opportunities", "kind", k.label, p, k.entries.short])
    return _write(rows)
