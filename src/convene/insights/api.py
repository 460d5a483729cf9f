"""Insights API: the same protected aggregates as the pages.

Head counts are perturbed and rounded to 5 (`display` says "about N"); a hidden one is
`{"count": null, "suppressed": true, "display": "fewer than 5"}`; indices withheld for privacy
are `null`, shown ones are computed from the protected figures (or rounded to 0.05).
Periods are `from` / `to` query parameters (YYYY-MM-DD); a bad date is a
400 with the usual `{"detail", "code"}` body.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from convene.core.api import ERRORS
from convene.privacy.disclosure import Figure

from . import selectors
from .periods import Period, parse_period
from .permissions import context_for, coordinated_community, dashboard_for

router = Router(tags=["insights"])


# --------------------------------------------------------------------------- schemas


class CountOut(Schema):
    count: int | None = Field(..., description="null when hidden for privacy")
    suppressed: bool
    display: str


def _count(value) -> dict:
    if isinstance(value, Figure):
        return {"count": value.api(), "suppressed": value.hidden, "display": str(value)}
    return {"count": int(value), "suppressed": False, "display": str(value)}


def _ratio(figure: Figure | None) -> float | None:
    """A protected percentage as a ratio in [0, 1] (null when hidden)."""
    return None if figure is None or figure.hidden else figure.value / 100


class CellOut(Schema):
    label: str
    people: CountOut
    share: float | None = Field(..., description="of the total, from the protected figures; null when hidden")


class BreakdownOut(Schema):
    key: str
    label: str
    hidden: bool = Field(..., description="true when no category can be shown without revealing a small group")
    total: CountOut
    categories: int
    blau: float | None
    evenness: float | None
    band: str | None = Field(None, description="one-sided / some variety / varied, from the protected figures")
    cells: list[CellOut]


def _breakdown(b: selectors.Breakdown) -> dict:
    return {
        "key": b.key,
        "label": b.label,
        "hidden": b.hidden,
        "total": _count(b.total),
        "categories": b.categories,
        "blau": b.blau,
        "evenness": b.evenness,
        "band": b.band,
        "cells": []
        if b.hidden
        else [{"label": c.label, "people": _count(c.value), "share": _ratio(c.share)} for c in b.cells],
    }


class RepresentationOut(Schema):
    members: CountOut
    breakdowns: list[BreakdownOut]


class PeriodOut(Schema):
    start: str
    end: str


def _period(p: Period) -> dict:
    return {"start": p.start.isoformat(), "end": p.end.isoformat()}


class _Mapped:
    """A sliceable, countable view that converts only the page the paginator asks for."""

    def __init__(self, items, convert, count=None):
        self.items, self.convert, self._count = items, convert, count

    def __len__(self):
        return self._count() if self._count else len(self.items)

    def __getitem__(self, item):
        chosen = self.items[item]
        return self.convert(list(chosen))


class KindOut(Schema):
    kind: str
    label: str
    entries: CountOut
    people: CountOut = Field(..., description="distinct people with at least one; under 5 hides entries too")


def _kinds(rows) -> list[dict]:
    return [
        {
            "kind": k.kind,
            "label": str(k.label),  # a lazily translated choice label
            "entries": _count(k.entries),
            "people": _count(k.people),
        }
        for k in rows
    ]


class VoiceOut(Schema):
    period: PeriodOut
    members: CountOut
    contributions: CountOut = Field(..., description="hidden when fewer than 5 people contributed")
    heard: CountOut
    not_yet_heard: CountOut
    gini: float | None
    share_heard: float | None
    by_kind: list[KindOut]


class OpportunitiesOut(Schema):
    period: PeriodOut
    members: CountOut
    opportunities: CountOut = Field(..., description="hidden when fewer than 5 people had one")
    with_one: CountOut
    without_one: CountOut
    never_had_one: CountOut
    gini: float | None
    by_kind: list[KindOut]


class TrendPointOut(Schema):
    month: str
    members: CountOut
    blau: dict[str, float | None]
    contribution_gini: float | None
    share_heard: float | None
    contributions: CountOut = Field(..., description="hidden in a month with fewer than 5 contributors")
    contributors: CountOut
    opportunities: CountOut
    people_given_opportunity: CountOut


class TrendOut(Schema):
    dimensions: dict[str, str]
    points: list[TrendPointOut]


class PersonOut(Schema):
    user_id: int
    name: str


class LedgerRowOut(Schema):
    user_id: int
    name: str
    total: int
    ever: int
    last_at: datetime | None
    by_kind: dict[str, int]


class SuggestionOut(Schema):
    user_id: int
    name: str
    recent: int
    ever: int
    last_at: datetime | None


class ContextSummaryOut(Schema):
    context: str
    title: str
    kind: str
    url: str
    anonymous: bool
    people: int | None
    heard: int | None
    share_heard: float | None
    gini: float | None


class InsightsGroupOut(Schema):
    label: str
    people: CountOut
    blau: dict[str, float | None]


class ContextOut(Schema):
    context: str
    title: str
    kind: str
    url: str
    anonymous: bool
    people: int | None
    representation: list[BreakdownOut]
    voice: dict | None
    not_yet_heard: list[PersonOut] | None = Field(..., description="null for anonymous responses")
    groups: list[InsightsGroupOut]
    deviation: dict[str, float | None]


# --------------------------------------------------------------------------- routes

SLUG = "/communities/{slug}"


@router.get(f"{SLUG}/representation", response={200: RepresentationOut, **ERRORS}, summary="Who the community is")
def representation(request, slug: str):
    """Aggregate representation (members and coordinators may read it): no names, small cells hidden."""
    viewer = dashboard_for(request.user, slug)
    rep = selectors.community_representation(viewer.community)
    return {"members": _count(rep.population), "breakdowns": [_breakdown(b) for b in rep.breakdowns]}


@router.get(f"{SLUG}/trend", response={200: TrendOut, **ERRORS}, summary="Twelve monthly points")
def trend(request, slug: str):
    community = coordinated_community(request.user, slug)
    t = selectors.community_trend(community)
    return {
        "dimensions": t.labels,
        "points": [
            {
                "month": r["month"],
                "members": _count(r["members"]),
                "blau": r["blau"],
                "contribution_gini": r["gini"],
                "share_heard": _ratio(r["heard"]),
                "contributions": _count(r["contributions"]),
                "contributors": _count(r["contributors"]),
                "opportunities": _count(r["opportunities"]),
                "people_given_opportunity": _count(r["opportunity_people"]),
            }
            for r in t.rows
        ],
    }


def _parse(date_from, date_to) -> Period:
    return parse_period(date_from, date_to)


FROM = Query(None, alias="from", max_length=40, description="first day, YYYY-MM-DD (default: a year before `to`)")
TO = Query(None, alias="to", max_length=40, description="last day, YYYY-MM-DD (default: today)")


@router.get(f"{SLUG}/voice", response={200: VoiceOut, **ERRORS}, summary="Equity of voice over a period")
def voice(request, slug: str, date_from: str | None = FROM, date_to: str | None = TO):
    community = coordinated_community(request.user, slug)
    period = _parse(date_from, date_to)
    v = selectors.voice_summary(community, period)
    figures = v.figures
    return {
        "period": _period(period),
        "members": _count(figures["members"]),
        "contributions": _count(v.contributions_shown),
        "heard": _count(figures["heard"]),
        "not_yet_heard": _count(figures["not_heard"]),
        "gini": v.gini,
        "share_heard": _ratio(figures["share"]),
        "by_kind": _kinds(v.by_kind),
    }


@router.get(f"{SLUG}/not-yet-heard", response={200: list[PersonOut], **ERRORS}, summary="Members not yet heard")
@paginate(LimitOffsetPagination)
def not_yet_heard(request, slug: str, date_from: str | None = FROM, date_to: str | None = TO):
    community = coordinated_community(request.user, slug)
    period = _parse(date_from, date_to)
    qs = selectors.not_yet_heard(community, period)
    return _Mapped(qs, lambda rows: [{"user_id": m.user_id, "name": m.user.display_name} for m in rows], qs.count)


@router.get(f"{SLUG}/opportunities", response={200: OpportunitiesOut, **ERRORS}, summary="Equity of opportunity")
def opportunities(request, slug: str, date_from: str | None = FROM, date_to: str | None = TO):
    community = coordinated_community(request.user, slug)
    period = _parse(date_from, date_to)
    o = selectors.opportunity_summary(community, period)
    shown = o.shown
    return {
        "period": _period(period),
        "members": _count(shown["members"]),
        "opportunities": _count(o.entries_shown),
        "with_one": _count(shown["with"]),
        "without_one": _count(shown["without"]),
        "never_had_one": _count(shown["never"]),
        "gini": o.gini,
        "by_kind": _kinds(o.by_kind),
    }


@router.get(f"{SLUG}/opportunities/ledger", response={200: list[LedgerRowOut], **ERRORS}, summary="Per member")
@paginate(LimitOffsetPagination)
def ledger(
    request,
    slug: str,
    date_from: str | None = FROM,
    date_to: str | None = TO,
    order: str = Query("fewest", max_length=10, description="fewest | most | name"),
):
    community = coordinated_community(request.user, slug)
    period = _parse(date_from, date_to)
    kinds = selectors.OpportunityKind.values
    qs = selectors.opportunity_ledger(community, period, order=order)
    count = selectors.members_qs(community).count
    return _Mapped(
        qs,
        lambda rows: [
            {
                "user_id": m.user_id,
                "name": m.user.display_name,
                "total": m.total,
                "ever": m.ever,
                "last_at": m.last_at,
                "by_kind": {k: getattr(m, f"n_{k}") for k in kinds},
            }
            for m in rows
        ],
        count,
    )


@router.get(f"{SLUG}/rotation", response={200: list[SuggestionOut], **ERRORS}, summary="Whose turn next")
def rotation(
    request,
    slug: str,
    kind: selectors.OpportunityKind | None = None,
    skill: str = Query("", max_length=60),
    limit: int = Query(5, ge=1, le=20),
):
    """Members with the fewest opportunities in the last 12 months (of `kind`, if given) who fit."""
    community = coordinated_community(request.user, slug)
    eligible = selectors.members_with_skill(community, skill) if skill.strip() else None
    return [
        asdict(s)
        for s in selectors.rotation_suggestion(
            community, kind=kind.value if kind else None, eligible_user_ids=eligible, limit=limit
        )
    ]


@router.get(f"{SLUG}/contexts", response={200: list[ContextSummaryOut], **ERRORS}, summary="Sessions etc.")
@paginate(LimitOffsetPagination)
def contexts(request, slug: str):
    community = coordinated_community(request.user, slug)
    return _Mapped(
        selectors.context_list(community),
        lambda chosen: [
            {
                "context": s.context,
                "title": s.title,
                "kind": s.kind,
                "url": s.url,
                "anonymous": s.anonymous,
                "people": s.invited.api(),
                "heard": None if s.anonymous else s.contributors.api(),
                "share_heard": _ratio(s.heard),
                "gini": s.gini,
            }
            for s in selectors.context_summaries(community, chosen)
        ],
    )


@router.get(f"{SLUG}/contexts/{{context}}", response={200: ContextOut, **ERRORS}, summary="One session etc.")
def context(request, slug: str, context: str):
    community, _info = context_for(request.user, slug, context)
    r = selectors.context_report(community, context, with_names=True)
    voice = None
    if r.voice is not None:
        shown = r.voice.shown
        voice = {
            "people": r.voice.figures["members"].api(),
            "contributions": _count(r.voice.contributions_shown),
            "heard": _count(shown["heard"]),
            "not_yet_heard": _count(shown["not_heard"]),
            "gini": r.voice.gini,
            "share_heard": _ratio(r.voice.share_shown),
            "by_kind": _kinds(r.voice.by_kind),
        }
    return {
        "context": r.context,
        "title": r.title,
        "kind": r.kind,
        "url": r.url,
        "anonymous": r.anonymous,
        "people": r.population.api(),
        "representation": [_breakdown(b) for b in r.representation],
        "voice": voice,
        "not_yet_heard": None if r.anonymous else r.not_heard,
        "groups": [{"label": g.label, "people": _count(g.size), "blau": g.blau} for g in r.groups],
        "deviation": r.deviation,
    }
