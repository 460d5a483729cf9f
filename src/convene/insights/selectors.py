"""Reads for inclusion and equity insights.

Counting happens in the database (grouped queries, a fixed number per page whatever the number
of members). The indices come from `convene.engines.equity`.

Privacy (docs/privacy.md, docs/insights.md): every head count about people goes through the
disclosure adapter (`convene.privacy.disclosure`): perturbed and rounded to 5 (`people_count`,
`people_breakdown`), keyed on the surface and the ids counted, so each filter, date range and
month is its own population and asking again gives the same figures. Indices (Blau, evenness,
Gini) are computed from the protected figures or rounded to 0.05. Diversity answers are only
ever counted, never listed. Names ("not yet heard", the opportunity ledger, rotation
suggestions) are only returned to callers that checked the person is a coordinator.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.core.cache import cache as django_cache
from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Max, Min, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, Lower, Mod, Trim
from django.urls import reverse
from django.utils import timezone

from convene.accounts.models import DiversityAnswer, Profile, Seniority
from convene.communities.models import (
    Community,
    Contribution,
    ContributionKind,
    Membership,
    OpportunityEntry,
    OpportunityKind,
    Role,
)
from convene.core import hooks
from convene.engines import equity
from convene.privacy import disclosure as privacy
from convene.privacy.disclosure import Figure, activity_count, exact, people_aggregate, people_count, share

from .periods import Month, Period, last_months

THRESHOLD = privacy.THRESHOLD
MEMBER_ROLES = (Role.MEMBER, Role.COORDINATOR)
CONTEXT_RE = re.compile(r"^[a-z][a-z0-9_-]{0,19}:[A-Za-z0-9_.-]{1,30}$")

# Ask for a materialised CTE where the database understands the hint (PostgreSQL 12+, SQLite 3.35+).
_MATERIALIZED = "" if connection.vendor == "sqlite" and sqlite3.sqlite_version_info < (3, 35) else "MATERIALIZED "

# (key, label, profile field)
PROFILE_DIMENSIONS = [
    ("discipline", "Discipline", "discipline"),
    ("organisation", "Organisation", "organisation"),
    ("seniority", "Seniority", "seniority"),
]


# --------------------------------------------------------------------------- cells and breakdowns


@dataclass(frozen=True)
class Cell:
    label: str
    value: Figure
    share: Figure  # of the breakdown's protected total, from protected figures only

    @property
    def suppressed(self) -> bool:
        return self.value.hidden

    @property
    def display(self) -> str:
        return self.value.short

    @property
    def count(self) -> int | None:
        return self.value.api()


@dataclass
class Breakdown:
    """One dimension's categories with protected head counts and indices computed from them."""

    key: str
    label: str
    cells: list[Cell]
    total: Figure
    categories: int
    blau: float | None  # from the protected figures, rounded to 0.05; None when too few are shown
    evenness: float | None
    hidden: bool  # every cell is hidden
    band: str | None = None
    note: str = ""

    @property
    def max_count(self) -> int:
        return max((c.count or 0 for c in self.cells), default=0)


INDEX_STEP = 0.05


def coarse(value: float | None, step: float = INDEX_STEP) -> float | None:
    """An index rounded to ``step`` (a coarse band): it says how even, not who."""
    if value is None:
        return None
    return round(round(float(value) / step) * step, 2)


def _indices(figures: Sequence[Figure]) -> tuple[float | None, float | None]:
    """Blau and evenness over the categories, computed from the protected figures only
    (hidden cells count as 0); None when the shown figures add up to fewer than 5 people."""
    values = [f.value or 0 for f in figures]
    if sum(values) < THRESHOLD:
        return None, None
    return coarse(equity.blau(values)), coarse(equity.evenness(values))


def _protected(b: privacy.Breakdown, *, note: str = "") -> Breakdown:
    """The adapter's breakdown as the insight pages, API and CSV show it."""
    answered = [f for label, f in b.rows if label not in (privacy.NOT_ANSWERED, privacy.OTHER_ANSWERS)]
    blau, evenness = _indices(answered)
    return Breakdown(
        key=b.key,
        label=b.label,
        cells=[Cell(label, f, share(f, b.total)) for label, f in b.rows],
        total=b.total,
        categories=len(answered),
        blau=blau,
        evenness=evenness,
        hidden=not b.any_shown,
        band=b.band,
        note=note,
    )


def _norm(value) -> str:
    return " ".join(str(value or "").split())


def _key(value) -> str:
    return _norm(value).lower()


def _pretty_seniority(key: str) -> str:
    try:
        return Seniority(key).label
    except ValueError:
        return key


def profile_categories() -> dict[str, dict[str, str]]:
    """Per profile dimension, the categories listed in every insight breakdown: {key: label}.

    Fixed for the whole site, like the diversity answers (``privacy.diversity_categories``):
    seniority's five bands, and for the free-text fields every value (matched without regard to
    case) that at least 5 people on the site give. Rarer values are counted under "Other
    answers", so a row never appears or disappears because of who is in the population.
    """
    out: dict[str, dict[str, str]] = {"seniority": {k: lab for k, lab in Seniority.choices}}
    for key, _, fieldname in PROFILE_DIMENSIONS:
        if key == "seniority":
            continue
        rows = (
            Profile.objects.annotate(k=Lower(Trim(fieldname)))
            .exclude(k="")
            .values("k")
            .annotate(n=Count("pk"), label=Min(Trim(fieldname)))
            .filter(n__gte=THRESHOLD)
            .order_by("-n", "k")
        )
        out[key] = {r["k"]: _norm(r["label"]) for r in rows}
    return out


@dataclass
class _Facts:
    """Per person: each profile fact (normalised key) and each shared diversity answer."""

    profile: dict[str, dict[int, str]]  # dimension -> user id -> key
    diversity: dict[str, dict[int, str]]  # attribute -> user id -> answer
    profile_cats: dict[str, dict[str, str]]
    diversity_cats: dict[str, list[str]]

    def values(self, dim: str) -> tuple[dict[int, str], list[str]]:
        """(user id -> category label, the fixed category list) of one dimension."""
        if dim.startswith("diversity:"):
            attr = dim.split(":", 1)[1]
            return self.diversity.get(attr, {}), self.diversity_cats.get(attr, [])
        cats = self.profile_cats.get(dim, {})
        per = self.profile.get(dim, {})
        return {u: cats.get(k, k) for u, k in per.items()}, list(cats.values())


def _facts(user_ids: Iterable[int], *, extra: dict[str, dict[int, str]] | None = None) -> _Facts:
    ids = list(user_ids)
    profile: dict[str, dict[int, str]] = {key: {} for key, _, _ in PROFILE_DIMENSIONS}
    fields = [f for _, _, f in PROFILE_DIMENSIONS]
    for row in Profile.objects.filter(user_id__in=ids).values_list("user_id", *fields):
        for (key, _, _), value in zip(PROFILE_DIMENSIONS, row[1:], strict=True):
            k = _key(value)
            if k:
                profile[key][row[0]] = k
    profile.update(extra or {})
    diversity: dict[str, dict[int, str]] = {}
    for attr, uid, value in DiversityAnswer.objects.filter(user_id__in=ids).values_list(
        "attribute", "user_id", "value"
    ):
        diversity.setdefault(attr, {})[uid] = value
    cats = {a: privacy.diversity_categories(a) for a in settings.DIVERSITY_ATTRIBUTES}
    return _Facts(profile, diversity, profile_categories(), cats)


DIVERSITY_NOTE = "Only members who chose to share this answer are counted."


def _breakdowns(surface: str, facts: _Facts, population: Iterable[int], dims: dict[str, str]) -> list[Breakdown]:
    """Protected breakdowns of one population, one per dimension (key -> label)."""
    ids = sorted({int(i) for i in population})
    out = []
    for dim, label in dims.items():
        values, categories = facts.values(dim)
        b = privacy.people_breakdown(
            surface=surface, key=dim, label=label, values=values, categories=categories, population=ids
        )
        out.append(_protected(b, note=DIVERSITY_NOTE if dim.startswith("diversity:") else ""))
    return out


def _dimensions() -> tuple[dict[str, str], dict[str, str]]:
    profile = {key: label for key, label, _ in PROFILE_DIMENSIONS}
    diversity = {f"diversity:{a}": label for a, label in settings.DIVERSITY_ATTRIBUTES.items()}
    return profile, diversity


# --------------------------------------------------------------------------- members


def members_qs(community: Community) -> QuerySet[Membership]:
    """Members and coordinators (guests are visitors to one engagement, not the community)."""
    return Membership.objects.filter(community=community, role__in=MEMBER_ROLES)


def _member_user_ids(community: Community) -> QuerySet:
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
class _MemberRows:
    """Today's members: the month each joined in (index into `months`, -1 before) and their facts."""

    months: list[Month]
    joined: dict[int, int]
    facts: _Facts

    def by_month(self, i: int) -> list[int]:
        return sorted(u for u, b in self.joined.items() if b <= i)


def _member_rows(community: Community, months: list[Month]) -> _MemberRows:
    """Three queries whatever the number of members: who joined when, profile facts, answers."""
    joined = dict(members_qs(community).annotate(b=_bucket("joined_at", months)).values_list("user_id", "b").order_by())
    return _MemberRows(months, {int(u): int(b) for u, b in joined.items()}, _facts(joined))


def _surface(community: Community, name: str) -> str:
    return f"insights.{name}:{community.pk}"


@people_aggregate
def community_representation(community: Community, *, rows: _MemberRows | None = None) -> RepresentationReport:
    """Who the community is now, by discipline, organisation, seniority and consented attributes.

    Every figure is perturbed (``people_breakdown``), keyed on today's member ids: the same
    members always give the same table; one more member re-draws every cell.
    """
    rows = rows or _member_rows(community, last_months(12))
    ids = sorted(rows.joined)
    profile_dims, diversity_dims = _dimensions()
    surface = _surface(community, "representation")
    return RepresentationReport(
        population=people_count(surface=surface, person_ids=ids),
        people=len(ids),
        profile=_breakdowns(surface, rows.facts, ids, profile_dims),
        diversity=_breakdowns(surface, rows.facts, ids, diversity_dims),
    )


def _histogram(inner: QuerySet, group: Sequence[str] = (), kinds: Sequence[str] = ()) -> list[tuple]:
    """For `inner` = values(*group, person).annotate(n=Count(...)): rows (*group, n, people with n).

    Lets Gini be computed from a few hundred rows instead of one row per person. Parameterised
    SQL around the ORM's own query, so it runs the same on SQLite and PostgreSQL.

    With `kinds`, `inner` also annotates `k_<kind>` (that person's entries of the kind) and each
    row goes on with, per kind, how many of those people have one or more and how many entries
    they have: distinct people per kind out of the same single grouped query.
    """
    sql, params = inner.query.sql_with_params()
    q = connection.ops.quote_name
    cols = "".join(f"t.{q(c)}, " for c in group)
    per_kind = "".join(f", SUM(CASE WHEN t.{q('k_' + k)} > 0 THEN 1 ELSE 0 END), SUM(t.{q('k_' + k)})" for k in kinds)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {cols}t.{q('n')}, COUNT(*){per_kind} FROM ({sql}) t GROUP BY {cols}t.{q('n')}",  # noqa: S608
            params,
        )
        g = len(group)
        return [(*row[:g], *(int(v or 0) for v in row[g:])) for row in cursor.fetchall()]


def _values_from_histogram(rows: Iterable[tuple[int, int]], population: int) -> np.ndarray:
    """Per-person counts (order irrelevant) with the silent members as zeros."""
    rows = [(int(r[0]), int(r[1])) for r in rows if r[0]]
    counts = np.repeat(np.array([n for n, _ in rows], dtype=float), [k for _, k in rows]) if rows else np.zeros(0)
    zeros = max(population - counts.size, 0)
    return np.concatenate([counts, np.zeros(zeros)])


def _bucket(fieldname: str, months: Sequence[Month]) -> Case:
    """Index of the month a timestamp falls in: -1 before the window, len(months) after it."""
    whens = [When(**{f"{fieldname}__lt": months[0].start}, then=Value(-1))]
    whens += [When(**{f"{fieldname}__lt": m.end}, then=Value(i)) for i, m in enumerate(months)]
    return Case(*whens, default=Value(len(months)), output_field=IntegerField())


# --------------------------------------------------------------------------- voice


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


def _in_period(period: Period, prefix: str = "") -> Q:
    return Q(**{f"{prefix}occurred_at__gte": period.since, f"{prefix}occurred_at__lt": period.until})


def _kind_rows(surface: str, qs: QuerySet, choices) -> list[KindRow]:
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
    return Contribution.objects.filter(_in_period(period), community=community, user_id__in=_member_user_ids(community))


def _gini(values, population: int) -> float | None:
    return coarse(equity.gini(values)) if population >= THRESHOLD else None


def _period_surface(community: Community, name: str, period: Period) -> str:
    return f"insights.{name}:{community.pk}:{period.since:%Y-%m-%d}:{period.until:%Y-%m-%d}"


@people_aggregate
def voice_summary(community: Community, period: Period, *, members: int | None = None) -> VoiceSummary:
    """Gini of contributions across all members (silent ones count as zero) and the share heard."""
    member_ids = frozenset(members_qs(community).values_list("user_id", flat=True))
    members = len(member_ids)
    qs = member_contributions(community, period)
    hist = _histogram(qs.values("user_id").annotate(n=Count("pk")).order_by())
    values = _values_from_histogram(hist, members)
    contributors = int(sum(r[1] for r in hist if r[0]))
    surface = _period_surface(community, "voice", period)
    return VoiceSummary(
        period=period,
        members=members,
        contributions=int(values.sum()),
        contributors=contributors,
        not_heard=max(members - contributors, 0),
        gini=_gini(values, members),
        heard=equity.share_heard(values) if members else 0.0,
        by_kind=_kind_rows(surface, qs, ContributionKind.choices),
        surface=surface,
        member_ids=member_ids,
        contributor_ids=frozenset(qs.values_list("user_id", flat=True).distinct()),
    )


def not_yet_heard(community: Community, period: Period) -> QuerySet[Membership]:
    """Members with no contribution in the period, by name. Coordinators only: it names people."""
    spoke = Contribution.objects.filter(_in_period(period), community=community).values("user_id")
    return (
        members_qs(community)
        .exclude(user_id__in=spoke)
        .select_related("user__profile")
        .order_by(Lower(Coalesce("user__profile__display_name", Value(""))), "user__email")
    )


# --------------------------------------------------------------------------- opportunities


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
        _in_period(period), community=community, user_id__in=_member_user_ids(community)
    )


@people_aggregate
def opportunity_summary(community: Community, period: Period, *, members: int | None = None) -> OpportunitySummary:
    member_ids = frozenset(members_qs(community).values_list("user_id", flat=True))
    qs = member_opportunities(community, period)
    hist = _histogram(qs.values("user_id").annotate(n=Count("pk")).order_by())
    values = _values_from_histogram(hist, len(member_ids))
    ever = frozenset(
        OpportunityEntry.objects.filter(community=community, user_id__in=member_ids)
        .values_list("user_id", flat=True)
        .distinct()
    )
    surface = _period_surface(community, "opportunities", period)
    with_ids = frozenset(qs.values_list("user_id", flat=True).distinct())
    return OpportunitySummary(
        period=period,
        members=len(member_ids),
        entries=int(values.sum()),
        people=len(with_ids),
        gini=_gini(values, len(member_ids)),
        never=len(member_ids - ever),
        by_kind=_kind_rows(surface, qs, OpportunityKind.choices),
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
    within = here & _in_period(period, "user__opportunities__")
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


# --------------------------------------------------------------------------- trend


@dataclass
class Trend:
    months: list[Month]
    members: list[Figure]
    blau: dict[str, list[float | None]]  # dimension key -> one value per month (from protected figures)
    labels: dict[str, str]
    gini: list[float | None]
    heard: list[Figure]  # share heard, from the month's protected head counts
    contributions: list[Figure]  # perturbed; hidden with the month's contributors
    contributors: list[Figure]
    opportunities: list[Figure]
    opportunity_people: list[Figure]

    @property
    def rows(self) -> list[dict]:
        out = []
        for i, m in enumerate(self.months):
            out.append(
                {
                    "month": m.label,
                    "members": self.members[i],
                    "blau": {k: v[i] for k, v in self.blau.items()},
                    "gini": self.gini[i],
                    "heard": self.heard[i],
                    "contributions": self.contributions[i],
                    "contributors": self.contributors[i],
                    "opportunities": self.opportunities[i],
                    "opportunity_people": self.opportunity_people[i],
                }
            )
        return out


# --------------------------------------------------------------------------- trend cache
#
# A closed month's contributions cannot change except by a backdated write (an import, the
# demo, a late sync) or by the member list changing (only current members are counted). The
# per-month histograms of closed months are therefore cached, keyed by the community, the
# months, and a fingerprint of the member list; each entry remembers the ledger's high-water
# mark (the largest contribution id when it was computed) and is used only while no row above
# that mark falls into the closed months. Representation, population totals, opportunities
# and the current month are always read fresh. See docs/insights.md, "Trend cache".

TREND_CACHE_VERSION = 3
TREND_CACHE_SECONDS = 24 * 3600
# A month counts as closed this long after it ended, so a contribution written in the last
# moments of a month by a transaction that commits just after midnight is still seen.
CLOSED_AFTER = timedelta(hours=1)


def _member_fingerprint(community: Community) -> tuple[int, int, int]:
    """Count, sum and a hashed sum of member ids: changes whenever someone joins, leaves or
    becomes or stops being a guest (guests' contributions are not counted)."""
    agg = members_qs(community).aggregate(
        n=Count("pk"), s=Sum("user_id"), h=Sum(Mod(F("user_id") * F("user_id"), Value(1000003)))
    )
    return int(agg["n"] or 0), int(agg["s"] or 0), int(agg["h"] or 0)


def _trend_cache_key(community: Community, closed: Sequence[Month], fingerprint: tuple[int, int, int]) -> str:
    created = community.created_at.isoformat()  # ids come back after a rollback or a restore; this does not
    n, s, h = fingerprint
    return (
        f"insights:trend:v{TREND_CACHE_VERSION}:{community.pk}:{created}:{settings.TIME_ZONE}:"
        f"{closed[0].label}:{closed[-1].label}:{n}.{s}.{h}"
    )


def _bucket_histograms(community: Community, months: Sequence[Month], since, until) -> dict[int, list[tuple]]:
    """{month index: [(contributions, people with that many, of whom joined after the month)]}.

    Members only, in one grouped query. The last figure lets the month's population include
    people who took part before their membership says they joined (history imported from before
    Convene, a guest who later became a member): they were evidently there. The joining date is
    looked up once per person and month, after grouping, not once per contribution.
    """
    q = connection.ops.quote_name
    inner = (
        Contribution.objects.filter(
            community=community,
            user_id__in=_member_user_ids(community),
            occurred_at__gte=since,
            occurred_at__lt=until,
        )
        .annotate(b=_bucket("occurred_at", months))
        # person first in the GROUP BY: it follows the covering index (community, user, occurred_at, kind)
        .values("user_id", "b")
        .annotate(n=Count("pk"))
        .order_by()
    )
    sql, params = inner.query.sql_with_params()
    adapt = connection.ops.adapt_datetimefield_value
    joined = f"m.{q('joined_at')}"
    # the month the person joined in, as an index like `_bucket`'s (-1 before, len after)
    whens = [f"WHEN {joined} < %s THEN -1"] + [f"WHEN {joined} < %s THEN {i}" for i in range(len(months))]
    bounds = [adapt(months[0].start)] + [adapt(m.end) for m in months]
    b, n, uid = q("b"), q("n"), q("user_id")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.{b}, t.{n}, COUNT(*), SUM(CASE WHEN (CASE {' '.join(whens)} ELSE {len(months)} END) > t.{b} "  # noqa: S608
            f"THEN 1 ELSE 0 END) FROM ({sql}) t INNER JOIN {q(Membership._meta.db_table)} m "
            f"ON m.{uid} = t.{uid} AND m.{q('community_id')} = %s GROUP BY t.{b}, t.{n}",
            [*bounds, *params, community.pk],  # in the order of the placeholders
        )
        found = cursor.fetchall()
    out: dict[int, list[tuple]] = {}
    for month, count, people, after in found:
        if 0 <= month < len(months):
            out.setdefault(int(month), []).append((int(count), int(people), int(after or 0)))
    return out


def _closed_histograms(community: Community, closed: Sequence[Month], *, cache: bool) -> dict[int, list[tuple]]:
    key = _trend_cache_key(community, closed, _member_fingerprint(community)) if cache else None
    if key:
        entry = django_cache.get(key)
        if entry is not None:
            # only rows written since the mark: community and id alone, so both databases walk
            # an index by id instead of the community's whole history
            since = Contribution.objects.filter(community=community, pk__gt=entry["high_water"]).aggregate(
                late=Count("pk", filter=Q(occurred_at__lt=closed[-1].end)), top=Max("pk")
            )
            if not since["late"]:
                left = int(entry["expires"] - time.time())
                if since["top"] and left > 0:  # move the mark on (same expiry), so the next check reads fewer rows
                    django_cache.set(key, {**entry, "high_water": since["top"]}, left)
                return entry["hist"]
    # the mark is read before the counts: a row written in between is counted and also seen as
    # late next time (one needless recomputation), never missed
    high_water = Contribution.objects.aggregate(m=Max("pk"))["m"] or 0
    hist = _bucket_histograms(community, closed, closed[0].start, closed[-1].end)
    if key:
        entry = {"high_water": high_water, "hist": hist, "expires": time.time() + TREND_CACHE_SECONDS}
        django_cache.set(key, entry, TREND_CACHE_SECONDS)
    return hist


def _trend_histograms(
    community: Community, months: list[Month], window: Period, *, cache: bool
) -> dict[int, list[tuple]]:
    """Per month, the histogram of members' contribution counts: closed months (cached) and
    the open ones (read fresh)."""
    now = timezone.now()
    n_closed = sum(1 for m in months if m.end <= now - CLOSED_AFTER)
    closed, open_ = months[:n_closed], months[n_closed:]
    hist = _closed_histograms(community, closed, cache=cache) if closed else {}
    if open_:
        fresh = _bucket_histograms(community, open_, open_[0].start, window.until)
        hist = {**hist, **{n_closed + i: rows for i, rows in fresh.items()}}
    return hist


def _ids_per_month(qs: QuerySet, months: Sequence[Month]) -> dict[int, dict[int, int]]:
    """{month index: {user id: entries}} for the rows of `qs` (one grouped query)."""
    out: dict[int, dict[int, int]] = {}
    rows = qs.annotate(b=_bucket("occurred_at", months)).values_list("b", "user_id").annotate(n=Count("pk")).order_by()
    for b, uid, n in rows:
        if 0 <= b < len(months):
            out.setdefault(int(b), {})[int(uid)] = int(n)
    return out


@people_aggregate
def community_trend(
    community: Community,
    *,
    months: list[Month] | None = None,
    rows: _MemberRows | None = None,
    cache: bool = True,
) -> Trend:
    """Twelve monthly points: who was a member by then, how diverse, how evenly heard, who got roles.

    Membership history is reconstructed from `joined_at` of current members (people who left
    are not kept), so earlier months show today's members as they arrived. Each month's figures
    are perturbed on a key of that month's own population (the ids counted), so comparing two
    months that differ by one newcomer compares two independent draws.
    """
    months = rows.months if rows else (months or last_months(12))
    rows = rows or _member_rows(community, months)
    profile_dims, diversity_dims = _dimensions()
    dims = {**profile_dims, **diversity_dims}
    labels = dict(dims)
    blau: dict[str, list[float | None]] = {k: [] for k in dims}
    members: list[Figure] = []
    population: list[list[int]] = []
    for i, m in enumerate(months):
        ids = rows.by_month(i)
        population.append(ids)
        surface = f"{_surface(community, 'trend')}:{m.label}"
        members.append(people_count(surface=surface, person_ids=ids))
        for b in _breakdowns(surface, rows.facts, ids, dims):
            blau[b.key].append(b.blau)

    window = Period(start=timezone.localtime(months[0].start).date(), end=timezone.localdate())
    hist = _trend_histograms(community, months, window, cache=cache)
    spoke = _ids_per_month(
        Contribution.objects.filter(
            community=community,
            user_id__in=_member_user_ids(community),
            occurred_at__gte=months[0].start,
            occurred_at__lt=window.until,
        ),
        months,
    )
    gini, heard, volume, voices = [], [], [], []
    for i, m in enumerate(months):
        rows_i = hist.get(i, [])
        # the voice population: members by the month's end, and anyone who took part in it
        # before their membership says they joined
        who = spoke.get(i, {})
        voice_pop = set(population[i]) | set(who)
        values = _values_from_histogram(rows_i, len(voice_pop))
        surface = f"{_surface(community, 'trend.voice')}:{m.label}"
        heard_n = people_count(surface=f"{surface}:heard", person_ids=who)
        everyone = people_count(surface=f"{surface}:members", person_ids=voice_pop)
        gini.append(_gini(values, len(voice_pop)))
        heard.append(share(heard_n, everyone))
        voices.append(heard_n)
        volume.append(activity_count(surface=f"{surface}:heard", person_ids=who, entries=sum(who.values())))
    given = _ids_per_month(member_opportunities(community, window), months)
    opp_people, opp_entries = [], []
    for i, m in enumerate(months):
        who = given.get(i, {})
        surface = f"{_surface(community, 'trend.opportunities')}:{m.label}"
        opp_people.append(people_count(surface=surface, person_ids=who))
        opp_entries.append(activity_count(surface=surface, person_ids=who, entries=sum(who.values())))
    return Trend(
        months=months,
        members=members,
        blau=blau,
        labels=labels,
        gini=gini,
        heard=heard,
        contributions=volume,
        contributors=voices,
        opportunities=opp_entries,
        opportunity_people=opp_people,
    )


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
    rows = _member_rows(community, last_months(12))
    rep = community_representation(community, rows=rows)
    if not full:
        return Dashboard(rep)
    return Dashboard(
        representation=rep,
        voice=voice_summary(community, period, members=rep.people),
        opportunities=opportunity_summary(community, period, members=rep.people),
        trend=community_trend(community, rows=rows, cache=cache),
    )


# --------------------------------------------------------------------------- contexts


def valid_context(context: str) -> bool:
    return bool(CONTEXT_RE.match(context or ""))


def resolve_context(context: str) -> dict | None:
    """What the app owning `context` says about it (see core.hooks), or None."""
    info = hooks.first("context_info", context)
    return info if isinstance(info, dict) else None


def context_list(community: Community) -> list[str]:
    """Contexts of this community: those other apps list (newest first), then any others that
    only appear in the contribution ledger, most recently active first."""
    owned = [c for c in hooks.collect("contexts_for", community) if isinstance(c, str)]
    seen = set(owned)
    recorded = (
        Contribution.objects.filter(community=community)
        .values("context")
        .annotate(last=Max("occurred_at"))
        .order_by("-last", "context")
        .values_list("context", flat=True)
    )
    return owned + [c for c in recorded if c not in seen]


def context_in_community(community: Community, context: str, info: dict | None) -> bool:
    if not valid_context(context):
        return False
    if info is not None:
        return community.pk in {int(i) for i in info.get("community_ids", [])}
    return Contribution.objects.filter(community=community, context=context).exists()


@dataclass
class ContextSummary:
    context: str
    title: str
    kind: str
    url: str
    anonymous: bool
    known: bool
    invited: Figure
    contributors: Figure
    gini: float | None
    heard: Figure | None


def _population(info: dict | None, counts: dict[int, int]) -> list[int]:
    invited = [int(u) for u in (info or {}).get("invited_user_ids", [])]
    extra = [u for u in counts if u not in set(invited)]
    return invited + sorted(extra)


def _context_surface(context: str) -> str:
    return f"insights.context:{context}"


@people_aggregate
def context_summaries(community: Community, contexts: Sequence[str]) -> list[ContextSummary]:
    """One line per context (for a page of them): two queries whatever the number of contexts.

    Head counts are perturbed on the context's own population and use the same keys as the
    context's own page (`context_report`), so the two always agree."""
    infos = {c: resolve_context(c) for c in contexts}
    per: dict[str, dict[int, int]] = {c: {} for c in contexts}
    owned = [c for c, i in infos.items() if i is not None]
    unowned = [c for c, i in infos.items() if i is None]
    q = Q(context__in=owned) | Q(context__in=unowned, community=community)
    for row in Contribution.objects.filter(q).values("context", "user_id").annotate(n=Count("pk")).order_by():
        per[row["context"]][row["user_id"]] = row["n"]
    out = []
    for c in contexts:
        info = infos[c]
        pop = _population(info, per[c])
        values = [per[c].get(u, 0) for u in pop]
        anonymous = bool(info and info.get("anonymous"))
        voice = _context_voice(c, pop, per[c])
        figures = voice.figures
        out.append(
            ContextSummary(
                context=c,
                title=str(info.get("title") or c) if info else c,
                kind=str(info.get("kind") or c.split(":")[0]) if info else c.split(":")[0],
                url=str(info.get("url") or "") if info else "",
                anonymous=anonymous,
                known=info is not None,
                invited=figures["members"],
                contributors=figures["heard"],
                gini=None if anonymous else _gini(values, len(pop)),
                heard=None if anonymous else figures["share"],
            )
        )
    return out


def _context_voice(context: str, pop: list[int], counts: dict[int, int], by_kind=()) -> VoiceSummary:
    values = [counts.get(u, 0) for u in pop]
    contributors = sum(1 for v in values if v)
    return VoiceSummary(
        period=None,  # type: ignore[arg-type]  # a context is its own period
        members=len(pop),
        contributions=sum(values),
        contributors=contributors,
        not_heard=len(pop) - contributors,
        gini=_gini(values, len(pop)),
        heard=equity.share_heard(values),
        by_kind=list(by_kind),
        surface=_context_surface(context),
        member_ids=frozenset(pop),
        contributor_ids=frozenset(u for u in pop if counts.get(u)),
    )


@dataclass
class GroupRow:
    label: str
    size: Figure  # a breakout group is a named group: exact, hidden under 5
    blau: dict[str, float | None]


@dataclass
class ContextReport:
    context: str
    title: str
    kind: str
    url: str
    anonymous: bool
    known: bool
    population: Figure
    representation: list[Breakdown]
    voice: VoiceSummary | None  # None for anonymous contexts
    not_heard: list[dict] = field(default_factory=list)  # [] for anonymous contexts
    groups: list[GroupRow] = field(default_factory=list)
    deviation: dict[str, float | None] = field(default_factory=dict)  # max deviation of any group per dimension
    dimension_labels: dict[str, str] = field(default_factory=dict)


def _community_of(pop: list[int], info: dict | None) -> dict[int, str]:
    """Per person, the first of the context's communities (in the context's order) they belong to."""
    cids = [int(c) for c in (info or {}).get("community_ids", [])]
    if not cids:
        return {}
    order = {c: i for i, c in enumerate(cids)}
    best: dict[int, tuple[int, str]] = {}
    rows = Membership.objects.filter(user_id__in=pop, community_id__in=cids).values_list(
        "user_id", "community_id", "community__name"
    )
    for uid, cid, name in rows:
        if uid not in best or order[cid] < best[uid][0]:
            best[uid] = (order[cid], name)
    return {uid: name for uid, (_, name) in best.items()}


def _names(pop: list[int]) -> dict[int, str]:
    return {
        uid: name or email.split("@", 1)[0]
        for uid, name, email in Profile.objects.filter(user_id__in=pop).values_list(
            "user_id", "display_name", "user__email"
        )
    }


@people_aggregate
def context_report(community: Community, context: str, *, with_names: bool) -> ContextReport:
    """Representation of the people invited, per breakout group, and their voice, for one context.

    Every head count is perturbed on the context's population (or the group's); indices are
    computed from those protected figures."""
    info = resolve_context(context)
    q = Q(context=context) if info is not None else Q(context=context, community=community)
    counts = {
        r["user_id"]: r["n"]
        for r in Contribution.objects.filter(q).values("user_id").annotate(n=Count("pk")).order_by()
    }
    pop = _population(info, counts)
    anonymous = bool(info and info.get("anonymous"))
    community_names = _community_of(pop, info)
    facts = _facts(pop, extra={"community": {u: _key(n) for u, n in community_names.items()}})
    facts.profile_cats["community"] = {_key(n): n for n in sorted(set(community_names.values()))}
    profile_dims, diversity_dims = _dimensions()
    dims = {"community": "Community", **profile_dims, **diversity_dims}
    if not community_names and not (info or {}).get("community_ids"):
        dims.pop("community")
    surface = _context_surface(context)
    representation = _breakdowns(surface, facts, pop, dims)

    groups, deviation = [], {}
    raw_groups = (info or {}).get("groups") or {}
    if raw_groups:
        members_of = {str(g): [int(u) for u in uids] for g, uids in raw_groups.items()}
        tables = {
            g: {b.key: b for b in _breakdowns(f"{surface}:group:{g}", facts, uids, dims)}
            for g, uids in members_of.items()
        }
        for room in representation:
            answered = [c for c in room.cells if c.label not in (privacy.NOT_ANSWERED, privacy.OTHER_ANSWERS)]
            room_counts = [c.count or 0 for c in answered]
            table = [
                [
                    c.count or 0
                    for c in tables[g][room.key].cells
                    if c.label not in (privacy.NOT_ANSWERED, privacy.OTHER_ANSWERS)
                ]
                for g in members_of
            ]
            usable = sum(room_counts) >= THRESHOLD and all(sum(r) >= THRESHOLD for r in table)
            deviation[room.key] = coarse(equity.composition_deviation(table, room_counts)) if usable else None
        for g, uids in members_of.items():
            groups.append(GroupRow(label=g, size=exact(len(uids)), blau={k: b.blau for k, b in tables[g].items()}))

    voice = None
    not_heard: list[dict] = []
    if not anonymous:
        surface_kinds = f"{surface}:voice"
        kinds = _kind_rows(surface_kinds, Contribution.objects.filter(q, user_id__in=pop), ContributionKind.choices)
        voice = _context_voice(context, pop, counts, kinds)
        if with_names:
            names = _names(pop)
            not_heard = sorted(
                ({"user_id": u, "name": names.get(u, f"Person {u}")} for u in pop if not counts.get(u)),
                key=lambda r: r["name"].lower(),
            )
    return ContextReport(
        context=context,
        title=str(info.get("title") or context) if info else context,
        kind=str(info.get("kind") or "") if info else context.split(":")[0],
        url=str(info.get("url") or "") if info else "",
        anonymous=anonymous,
        known=info is not None,
        population=people_count(surface=f"{surface}:members", person_ids=pop),
        representation=representation,
        voice=voice,
        not_heard=not_heard,
        groups=groups,
        deviation=deviation,
        dimension_labels={b.key: b.label for b in representation},
    )


# --------------------------------------------------------------------------- hooks for other apps


def community_links(user, community) -> list[tuple[str, str]]:
    from convene.communities.permissions import Need, can

    if can(user, community, Need.MEMBER):
        return [("Insights", reverse("insights:community", args=[community.slug]))]
    return []


def turn_suggestions(community, kind: str, eligible_user_ids: Iterable[int], limit: int = 3) -> list[Suggestion]:
    """Hook (core.hooks) for apps where a coordinator assigns a role: `rotation_suggestion`."""
    return rotation_suggestion(community, kind=kind, eligible_user_ids=eligible_user_ids, limit=limit)


def members_with_skill(community: Community, skill: str) -> list[int]:
    """User ids of members and coordinators whose profile lists a skill containing `skill`."""
    skill = " ".join(skill.split()).lower()[:60]
    return list(
        members_qs(community)
        .filter(user__profile__skills__name__icontains=skill)
        .values_list("user_id", flat=True)
        .distinct()
    )
