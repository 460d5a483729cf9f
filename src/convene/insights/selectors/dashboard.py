"""The community page's dashboard: representation for members; voice, opportunities and the
trend for coordinators, from one set of member rows."""

from __future__ import annotations

from dataclasses import dataclass

from convene.communities.models import (
    Community,
)

from ..periods import Period, last_months
from .opportunities import OpportunitySummary, opportunity_summary
from .representation import RepresentationReport, community_representation, member_rows
from .trends import Trend, community_trend
from .voice import VoiceSummary, voice_summary


@dataclass
class Dashboard:
    representation: RepresentationReport
    voice: VoiceSummary | None = None
    opportunities: OpportunitySummary | None = None
    trend: Trend | None = None


def community_dashboard(community: Community, period: Period, *, full: bool, cache: bool = True) -> Dashboard:
    """Everything on the community page in a fixed number of grouped queries.

    `full` adds voice, opportunities and the trend (coordinators); without it, only the
    aggregate representation (members).
    """
    rows = member_rows(community, last_months(12))
    rep = community_representation(community, rows=rows)
    if not full:
        return Dashboard(rep)
    return Dashboard(
        representation=rep,
        voice=voice_summary(community, period, members=rep.people),
        opportunities=opportunity_summary(community, period, members=rep.people),
        trend=community_trend(community, rows=rows, cache=cache),
    )
