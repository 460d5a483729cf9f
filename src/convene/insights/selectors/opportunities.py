"""Opportunities: who was given roles and chances, the opportunity ledger and rotation suggestions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Case, Count, IntegerField, Max, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from convene.communities.models import (
    Community,
    Membership,
    OpportunityEntry,
    OpportunityKind,
)
from convene.privacy.disclosure import Figure, activity_count, people_aggregate, people_count

from ..periods import Period
from .common import MEMBER_ROLES, histogram_rows, histogram_values
from .representation import member_user_ids, members_qs
from .voice import KindRow, gini_index, in_period, kind_rows, period_surface


@dataclass
class OpportunitySummary:
    period: Period
    members: int
    entries: int
    people: int  # members with at least one in the period
    gini: float | None
    never: int  # members who never had one in this community
    by_kind: list[KindRow]
    surface: str = "insights.opportunities"
    member_ids: frozenset = frozenset()
    with_ids: frozenset = frozenset()  # had one in the period
    ever_ids: frozenset = frozenset()  # had one here, ever

    @property
    def entries_shown(self) -> Figure:
        """The number of opportunities, perturbed and hidden with the people who had them."""
        return activity_count(surface=f"{self.surface}:with", person_ids=self.with_ids, entries=self.entries)

    @property
    def without_in_period(self) -> int:
        return max(self.members - self.people, 0)

    @property
    def shown(self) -> dict[str, Figure]:
        """Every head count perturbed on the ids it counts (a pair adding up to the members is
        never exact, so neither can be solved from the other and the total)."""

        def count(name: str, ids) -> Figure:
            return people_count(surface=f"{self.surface}:{name}", person_ids=ids)

        return {
            "members": count("members", self.member_ids),
            "with": count("with", self.with_ids),
            "without": count("without", self.member_ids - self.with_ids),
            "had": count("had", self.ever_ids),
            "never": count("never", self.member_ids - self.ever_ids),
        }


def member_opportunities(community: Community, period: Period) -> QuerySet[OpportunityEntry]:
    return OpportunityEntry.objects.filter(
        in_period(period), community=community, user_id__in=member_user_ids(community)
    )


@people_aggregate
def opportunity_summary(community: Community, period: Period, *, members: int | None = None) -> OpportunitySummary:
    member_ids = frozenset(members_qs(community).values_list("user_id", flat=True))
    qs = member_opportunities(community, period)
    hist = histogram_rows(qs.values("user_id").annotate(n=Count("pk")).order_by())
    values = histogram_values(hist, len(member_ids))
    ever = frozenset(
        OpportunityEntry.objects.filter(community=community, user_id__in=member_ids)
        .values_list("user_id", flat=True)
        .distinct()
    )
    surface = period_surface(community, "opportunities", period)
    with_ids = frozenset(qs.values_list("user_id", flat=True).distinct())
    return OpportunitySummary(
        period=period,
        members=len(member_ids),
        entries=int(values.sum()),
        people=len(with_ids),
        gini=gini_index(values, len(member_ids)),
        never=len(member_ids - ever),
        by_kind=kind_rows(surface, qs, OpportunityKind.choices),
        surface=surface,
        member_ids=member_ids,
        with_ids=with_ids,
        ever_ids=ever,
    )


LEDGER_ORDERS = {
    "fewest": ("total", "ever", Lower(Coalesce("user__profile__display_name", Value(""))), "user__email"),
    "most": ("-total", Lower(Coalesce("user__profile__display_name", Value(""))), "user__email"),
    "name": (Lower(Coalesce("user__profile__display_name", Value(""))), "user__email"),
}


def opportunity_ledger(community: Community, period: Period, *, order: str = "fewest") -> QuerySet[Membership]:
    """One row per member: opportunities of each kind in the period, in total, and ever (here)."""
    here = Q(user__opportunities__community=community)
    within = here & in_period(period, "user__opportunities__")
    per_kind = {
        f"n_{k}": Count("user__opportunities", filter=within & Q(user__opportunities__kind=k))
        for k in OpportunityKind.values
    }
    return (
        members_qs(community)
        .select_related("user__profile")
        .annotate(
            **per_kind,
            total=Count("user__opportunities", filter=within),
            ever=Count("user__opportunities", filter=here),
            last_at=Max("user__opportunities__occurred_at", filter=here),
        )
        .order_by(*LEDGER_ORDERS.get(order, LEDGER_ORDERS["fewest"]))
    )


@dataclass(frozen=True)
class Suggestion:
    user_id: int
    name: str
    recent: int
    ever: int
    last_at: datetime | None


def rotation_suggestion(
    community: Community,
    *,
    kind: str | None = None,
    eligible_user_ids: Iterable[int] | None = None,
    limit: int = 5,
    since: datetime | None = None,
) -> list[Suggestion]:
    """Who should get the next opportunity: the people who fit with the fewest recent ones.

    `kind` narrows the count to one kind of opportunity (e.g. "facilitator"); `eligible_user_ids`
    is the caller's notion of who fits (invited to the session, has the skill); without it, every
    member and coordinator is eligible. "Recent" is the last 12 months unless `since` is given.
    Ties go to whoever has had fewer ever here, then to whoever waited longest, then by name.
    Opportunities are counted in this community only.
    """
    if kind is not None and kind not in OpportunityKind.values:
        raise ValueError(f"unknown opportunity kind {kind!r}")
    limit = max(0, min(int(limit), 100))
    since = since or timezone.now() - timedelta(days=365)
    qs = Membership.objects.filter(community=community)
    if eligible_user_ids is None:
        qs = qs.filter(role__in=MEMBER_ROLES)
    else:
        qs = qs.filter(user_id__in=list(eligible_user_ids))
    here = Q(user__opportunities__community=community)
    if kind:
        here &= Q(user__opportunities__kind=kind)
    rows = (
        qs.annotate(
            recent=Count("user__opportunities", filter=here & Q(user__opportunities__occurred_at__gte=since)),
            ever=Count("user__opportunities", filter=here),
            last_at=Max("user__opportunities__occurred_at", filter=here),
        )
        .select_related("user__profile")
        .order_by(
            "recent",
            "ever",
            # nobody-yet first, then the longest wait
            Case(When(last_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()),
            "last_at",
            Lower(Coalesce("user__profile__display_name", Value(""))),
            "user__email",
        )[:limit]
    )
    return [Suggestion(m.user_id, m.user.display_name, m.recent, m.ever, m.last_at) for m in rows]
