"""Voice: who contributed in a period, the Gini of contributions, and who has not yet been heard."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Lower

from convene.communities.models import (
    Community,
    Contribution,
    ContributionKind,
    Membership,
)
from convene.engines import equity
from convene.privacy.disclosure import Figure, activity_count, people_aggregate, people_count, share

from ..periods import Period
from .common import THRESHOLD, coarse, histogram_rows, histogram_values
from .representation import member_user_ids, members_qs


@dataclass
class KindRow:
    kind: str
    label: str
    entries: Figure  # perturbed on the key of the people behind them; hidden when they are
    people: Figure  # distinct people with at least one entry of this kind, perturbed


@dataclass
class VoiceSummary:
    period: Period
    members: int
    contributions: int
    contributors: int
    not_heard: int
    gini: float | None  # rounded to 0.05; None when fewer than 5 people are counted
    heard: float  # exact share: internal only (pages and the API show `share_shown`)
    by_kind: list[KindRow]
    surface: str = "insights.voice"
    member_ids: frozenset = frozenset()
    contributor_ids: frozenset = frozenset()

    @property
    def empty(self) -> bool:
        return self.contributions == 0

    @property
    def figures(self) -> dict[str, Figure]:
        """Members, heard and not heard as perturbed figures, each keyed on the ids it counts
        (the population the date range chose), and the share heard computed from them: a
        hidden head count never stands beside an exact share."""
        quiet = self.member_ids - self.contributor_ids
        members = people_count(surface=f"{self.surface}:members", person_ids=self.member_ids)
        heard = people_count(surface=f"{self.surface}:heard", person_ids=self.contributor_ids)
        not_heard = people_count(surface=f"{self.surface}:not_heard", person_ids=quiet)
        return {"members": members, "heard": heard, "not_heard": not_heard, "share": share(heard, members)}

    @property
    def share_shown(self) -> Figure:
        return self.figures["share"]

    @property
    def contributions_shown(self) -> Figure:
        """The number of contributions, perturbed and hidden with the people who made them."""
        return activity_count(
            surface=f"{self.surface}:heard", person_ids=self.contributor_ids, entries=self.contributions
        )

    @property
    def shown(self) -> dict[str, Figure]:
        """Heard / not heard as perturbed head counts (see `figures`)."""
        figures = self.figures
        return {"heard": figures["heard"], "not_heard": figures["not_heard"]}


def in_period(period: Period, prefix: str = "") -> Q:
    return Q(**{f"{prefix}occurred_at__gte": period.since, f"{prefix}occurred_at__lt": period.until})


def kind_rows(surface: str, qs: QuerySet, choices) -> list[KindRow]:
    """Per kind: distinct people (perturbed, keyed on their ids) and entries (perturbed on the
    same key, hidden whenever the people are). One grouped query."""
    ids: dict[str, set[int]] = {}
    entries: dict[str, int] = {}
    for kind, uid, n in qs.values_list("kind", "user_id").annotate(n=Count("pk")).order_by():
        ids.setdefault(kind, set()).add(uid)
        entries[kind] = entries.get(kind, 0) + n
    rows = []
    for value, label in choices:
        who = ids.get(value, set())
        cell = f"{surface}:kind:{value}"
        rows.append(
            KindRow(
                value,
                label,
                activity_count(surface=cell, person_ids=who, entries=entries.get(value, 0)),
                people_count(surface=cell, person_ids=who),
            )
        )
    return rows


def member_contributions(community: Community, period: Period) -> QuerySet[Contribution]:
    return Contribution.objects.filter(in_period(period), community=community, user_id__in=member_user_ids(community))


def gini_index(values, population: int) -> float | None:
    return coarse(equity.gini(values)) if population >= THRESHOLD else None


def period_surface(community: Community, name: str, period: Period) -> str:
    return f"insights.{name}:{community.pk}:{period.since:%Y-%m-%d}:{period.until:%Y-%m-%d}"


@people_aggregate
def voice_summary(community: Community, period: Period, *, members: int | None = None) -> VoiceSummary:
    """Gini of contributions across all members (silent ones count as zero) and the share heard."""
    member_ids = frozenset(members_qs(community).values_list("user_id", flat=True))
    members = len(member_ids)
    qs = member_contributions(community, period)
    hist = histogram_rows(qs.values("user_id").annotate(n=Count("pk")).order_by())
    values = histogram_values(hist, members)
    contributors = int(sum(r[1] for r in hist if r[0]))
    surface = period_surface(community, "voice", period)
    return VoiceSummary(
        period=period,
        members=members,
        contributions=int(values.sum()),
        contributors=contributors,
        not_heard=max(members - contributors, 0),
        gini=gini_index(values, members),
        heard=equity.share_heard(values) if members else 0.0,
        by_kind=kind_rows(surface, qs, ContributionKind.choices),
        surface=surface,
        member_ids=member_ids,
        contributor_ids=frozenset(qs.values_list("user_id", flat=True).distinct()),
    )


def not_yet_heard(community: Community, period: Period) -> QuerySet[Membership]:
    """Members with no contribution in the period, by name. Coordinators only: it names people."""
    spoke = Contribution.objects.filter(in_period(period), community=community).values("user_id")
    return (
        members_qs(community)
        .exclude(user_id__in=spoke)
        .select_related("user__profile")
        .order_by(Lower(Coalesce("user__profile__display_name", Value(""))), "user__email")
    )
