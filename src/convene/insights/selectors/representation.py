"""Who the members are: the representation report (profile and diversity breakdowns)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from convene.communities.models import (
    Community,
    Membership,
)
from convene.privacy.disclosure import Figure, people_aggregate, people_count

from ..periods import Month, last_months
from .common import MEMBER_ROLES, Breakdown, Facts, dimension_maps, facts_of, month_bucket, protected_breakdowns


def members_qs(community: Community) -> QuerySet[Membership]:
    """Members and coordinators (guests are visitors to one engagement, not the community)."""
    return Membership.objects.filter(community=community, role__in=MEMBER_ROLES)


def member_user_ids(community: Community) -> QuerySet:
    return members_qs(community).values("user_id")


@dataclass
class RepresentationReport:
    population: Figure
    people: int  # exact, for internal use (never rendered)
    profile: list[Breakdown]
    diversity: list[Breakdown]

    @property
    def breakdowns(self) -> list[Breakdown]:
        return [*self.profile, *self.diversity]


@dataclass
class MemberRows:
    """Today's members: the month each joined in (index into `months`, -1 before) and their facts."""

    months: list[Month]
    joined: dict[int, int]
    facts: Facts

    def by_month(self, i: int) -> list[int]:
        return sorted(u for u, b in self.joined.items() if b <= i)


def member_rows(community: Community, months: list[Month]) -> MemberRows:
    """Three queries whatever the number of members: who joined when, profile facts, answers."""
    joined = dict(
        members_qs(community).annotate(b=month_bucket("joined_at", months)).values_list("user_id", "b").order_by()
    )
    return MemberRows(months, {int(u): int(b) for u, b in joined.items()}, facts_of(joined))


def surface_name(community: Community, name: str) -> str:
    return f"insights.{name}:{community.pk}"


@people_aggregate
def community_representation(community: Community, *, rows: MemberRows | None = None) -> RepresentationReport:
    """Who the community is now, by discipline, organisation, seniority and consented attributes.

    Every figure is perturbed (``people_breakdown``), keyed on today's member ids: the same
    members always give the same table; one more member re-draws every cell.
    """
    rows = rows or member_rows(community, last_months(12))
    ids = sorted(rows.joined)
    profile_dims, diversity_dims = dimension_maps()
    surface = surface_name(community, "representation")
    return RepresentationReport(
        population=people_count(surface=surface, person_ids=ids),
        people=len(ids),
        profile=protected_breakdowns(surface, rows.facts, ids, profile_dims),
        diversity=protected_breakdowns(surface, rows.facts, ids, diversity_dims),
    )
