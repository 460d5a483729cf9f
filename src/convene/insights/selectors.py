"""Reads for inclusion and equity insights.

Counting happens in the database (grouped `values()/annotate(Count)` queries, and for Gini a
histogram of per-person counts), so a community dashboard costs a fixed number of queries
whatever the number of members. The indices themselves come from `convene.engines.equity`.

Privacy: every head count shown by group or attribute goes through `equity.suppress_cells`
(cells under 5 people become "< 5", with complementary suppression because totals are shown);
diversity answers are only ever counted, never listed; indices over fewer than 5 people are
hidden. Names ("not yet heard", the opportunity ledger, rotation suggestions) are only returned
to callers that checked the person is a coordinator (see `permissions.py`).
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
from convene.engines.equity import Suppressed
from convene.privacy.disclosure import Figure, people_aggregate, people_count, share

from .periods import Month, Period, last_months

THRESHOLD = equity.DEFAULT_THRESHOLD
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
    value: int | Suppressed
    share: float | None = None  # of the breakdown's total; None when the cell is hidden

    @property
    def suppressed(self) -> bool:
        return isinstance(self.value, Suppressed)

    @property
    def display(self) -> str:
        return str(self.value)

    @property
    def count(self) -> int | None:
        return None if self.suppressed else self.value


@dataclass
class Breakdown:
    """One dimension's categories with head counts (suppressed) and the two diversity indices."""

    key: str
    label: str
    cells: list[Cell]
    total: int | Suppressed
    respondents: int | Suppressed
    categories: int
    blau: float | None  # None: fewer than 5 people with a stated value, so not shown
    evenness: float | None
    hidden: bool  # nothing could be shown without revealing a small group
    note: str = ""

    @property
    def max_count(self) -> int:
        return max((c.count or 0 for c in self.cells), default=0)


def _fold(ordered: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Merge categories under 5 people into one "Other" row when there are two or more of them."""
    small = [(lab, n) for lab, n in ordered if n < THRESHOLD]
    if len(small) < 2:
        return ordered
    return [(lab, n) for lab, n in ordered if n >= THRESHOLD] + [
        (f"Other ({len(small)} smaller groups)", sum(n for _, n in small))
    ]


def private_indices(counts: Sequence[int]) -> tuple[float, float] | None:
    """Blau and evenness of a private attribute, or None when they could reveal a small group.

    Computed over the categories as they would be shown (small ones merged), and only when
    every shown category has at least 5 people: an index over exact small counts, together
    with the total, can be solved back into those counts.
    """
    folded = [n for _, n in _fold([(str(i), n) for i, n in enumerate(counts) if n])]
    if not folded or sum(folded) < THRESHOLD or any(n < THRESHOLD for n in folded):
        return None
    return equity.blau(folded), equity.evenness(folded)


def build_breakdown(
    key: str,
    label: str,
    counts: Sequence[tuple[str, int]],
    *,
    not_stated: int = 0,
    fixed: bool = False,
    private: bool = False,
    note: str = "",
) -> Breakdown:
    """Turn raw (category label, head count) pairs into a privacy-safe `Breakdown`.

    `fixed`: the categories are a closed list given in order, zeros included (so an absent
    category lowers the indices); otherwise only categories present are known, and categories
    under 5 people are folded into one "Other" row when there are two or more of them.
    `private` (diversity attributes): indices follow `private_indices`. Profile facts
    (discipline, organisation, seniority) are visible to fellow members anyway, so their indices
    use the exact categories once at least 5 people stated a value.
    """
    ordered = list(counts) if fixed else sorted(counts, key=lambda c: (-c[1], c[0].lower()))
    stated = [n for _, n in ordered]
    respondents = sum(stated)
    display = ordered if fixed else _fold(ordered)
    if not_stated:
        display = [*display, ("Not stated", not_stated)]
    total = respondents + not_stated
    keyed = {i: n for i, (_, n) in enumerate(display)}
    shown = equity.suppress_cells(keyed, THRESHOLD, total_shown=True)
    hidden = equity.must_hide_breakdown(keyed, THRESHOLD, total_shown=True)
    blau = evenness = None
    if private:
        indices = None if hidden else private_indices(stated)
        if indices:
            blau, evenness = indices
    elif respondents >= THRESHOLD:
        blau, evenness = equity.blau(stated), equity.evenness(stated)
    cells = [
        Cell(
            lab,
            shown[i],
            None if isinstance(shown[i], Suppressed) or not total else n / total,
        )
        for i, (lab, n) in enumerate(display)
    ]
    return Breakdown(
        key=key,
        label=label,
        cells=cells,
        total=equity.suppress(total),
        respondents=equity.suppress(respondents),
        categories=len(stated),
        blau=blau,
        evenness=evenness,
        hidden=hidden,
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


def _profile_breakdown(key: str, label: str, groups: dict[str, tuple[str, int]], population: int) -> Breakdown:
    stated_total = sum(n for _, n in groups.values())
    not_stated = max(population - stated_total, 0)
    if key == "seniority":
        counts = [(lab, groups.get(k, (lab, 0))[1]) for k, lab in Seniority.choices]
        extra = [(lab, n) for k, (lab, n) in groups.items() if k not in Seniority.values]  # stale values
        return build_breakdown(
            key,
            label,
            counts + extra,
            not_stated=not_stated,
            fixed=True,
            note="All five bands count, so a band nobody is in lowers the indices.",
        )
    return build_breakdown(
        key,
        label,
        list(groups.values()),
        not_stated=not_stated,
        note="Free text from profiles, matched without regard to case; only values present count as categories.",
    )


def _diversity_breakdowns(groups: dict[str, dict[str, tuple[str, int]]]) -> list[Breakdown]:
    out = []
    for attr, label in settings.DIVERSITY_ATTRIBUTES.items():
        out.append(
            build_breakdown(
                f"diversity:{attr}",
                label,
                list(groups.get(attr, {}).values()),
                private=True,
                note="Only members who chose to share this answer are counted.",
            )
        )
    return out


# --------------------------------------------------------------------------- grouped queries


def members_qs(community: Community) -> QuerySet[Membership]:
    """Members and coordinators (guests are visitors to one engagement, not the community)."""
    return Membership.objects.filter(community=community, role__in=MEMBER_ROLES)


def _member_user_ids(community: Community) -> QuerySet:
    return members_qs(community).values("user_id")


def _grouped(qs: QuerySet, path: str, *extra: str) -> list[dict]:
    """Rows of (extra..., k=normalised value, label=one original spelling, n=people)."""
    return list(qs.values(*extra, k=Lower(Trim(path))).annotate(n=Count("pk"), label=Min(Trim(path))).order_by())


def _to_groups(rows: Iterable[dict], key_fn=None) -> tuple[dict[str, tuple[str, int]], int]:
    groups: dict[str, tuple[str, int]] = {}
    everyone = 0
    for row in rows:
        everyone += row["n"]
        k = row["k"]
        if not k:
            continue
        lab = key_fn(k) if key_fn else _norm(row["label"])
        prev = groups.get(k)
        if prev:
            lab = min(lab, prev[0])
        groups[k] = (lab, row["n"] + (prev[1] if prev else 0))
    return groups, everyone


@dataclass
class RepresentationReport:
    population: int | Suppressed
    people: int  # exact, for internal use (never rendered on its own)
    profile: list[Breakdown]
    diversity: list[Breakdown]

    @property
    def breakdowns(self) -> list[Breakdown]:
        return [*self.profile, *self.diversity]


@dataclass
class _MemberRows:
    """Grouped membership rows per dimension, with the month each member joined in (`b`)."""

    months: list[Month]
    profile: dict[str, list[dict]]  # dimension key -> rows (b, k, label, n)
    diversity: list[dict]  # rows (attribute, b, k, label, n)


def _member_rows(community: Community, months: list[Month]) -> _MemberRows:
    """One grouped query serves both today's representation and the 12-month trend.

    The members are read once (a materialised CTE: the month each joined in, and each profile
    fact normalised), then grouped per dimension and per consented attribute in a UNION ALL, so
    the month bucket and the normalisation are computed once per member, not once per dimension.
    """
    q = connection.ops.quote_name
    fields = {key: f"user__profile__{fieldname}" for key, _, fieldname in PROFILE_DIMENSIONS}
    inner = (
        members_qs(community)
        .annotate(b=_bucket("joined_at", months))
        .values(
            "user_id",
            "b",
            **{f"{key}_k": Lower(Trim(path)) for key, path in fields.items()},
            **{f"{key}_l": Trim(path) for key, path in fields.items()},
        )
        .order_by()
    )
    sql, params = inner.query.sql_with_params()
    # the dimension names are constants of this module (a-z only), written as SQL literals
    parts = [
        f"SELECT 'profile:{key}', m.{q('b')}, m.{q(key + '_k')}, MIN(m.{q(key + '_l')}), COUNT(*) FROM m "  # noqa: S608
        f"GROUP BY m.{q('b')}, m.{q(key + '_k')}"
        for key in fields
    ]
    answers = q(DiversityAnswer._meta.db_table)
    parts.append(
        f"SELECT d.{q('attribute')}, m.{q('b')}, LOWER(TRIM(d.{q('value')})), MIN(TRIM(d.{q('value')})), COUNT(*) "  # noqa: S608
        f"FROM m INNER JOIN {answers} d ON d.{q('user_id')} = m.{q('user_id')} "
        f"GROUP BY d.{q('attribute')}, m.{q('b')}, LOWER(TRIM(d.{q('value')}))"
    )
    dims = [f"profile:{key}" for key in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH m AS {_MATERIALIZED}({sql}) " + " UNION ALL ".join(parts),  # noqa: S608
            params,
        )
        found = cursor.fetchall()
    profile: dict[str, list[dict]] = {key: [] for key in fields}
    diversity: list[dict] = []
    for dim, b, k, label, n in found:
        row = {"b": int(b), "k": k, "label": label, "n": int(n)}
        if dim in dims:
            profile[dim.split(":", 1)[1]].append(row)
        else:
            diversity.append({**row, "attribute": dim})
    return _MemberRows(months, profile, diversity)


def community_representation(community: Community, *, rows: _MemberRows | None = None) -> RepresentationReport:
    """Who the community is now, by discipline, organisation, seniority and consented attributes."""
    rows = rows or _member_rows(community, last_months(12))
    profile = []
    population = 0
    for key, label, _ in PROFILE_DIMENSIONS:
        groups, everyone = _to_groups(rows.profile[key], _pretty_seniority if key == "seniority" else None)
        population = everyone
        profile.append(_profile_breakdown(key, label, groups, everyone))
    div: dict[str, dict[str, tuple[str, int]]] = {}
    for row in rows.diversity:
        groups, _ = _to_groups([row])
        bucket = div.setdefault(row["attribute"], {})
        for k, v in groups.items():
            prev = bucket.get(k)
            bucket[k] = (prev[0] if prev else v[0], v[1] + (prev[1] if prev else 0))
    return RepresentationReport(
        population=equity.suppress(population),
        people=population,
        profile=profile,
        diversity=_diversity_breakdowns(div),
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


def _per_kind_columns(kinds: Sequence[str]) -> dict:
    return {f"k_{k}": Count("pk", filter=Q(kind=k)) for k in kinds}


def _kind_totals(hist: Iterable[tuple], kinds: Sequence[str]) -> dict[str, tuple[int, int]]:
    """{kind: (entries, distinct people)} from `_histogram(..., kinds=...)` rows (n, people, ...)."""
    totals = dict.fromkeys(kinds, (0, 0))
    for row in hist:
        if not row[0]:
            continue
        for i, k in enumerate(kinds):
            people, entries = row[2 + 2 * i], row[3 + 2 * i]
            e, p = totals[k]
            totals[k] = (e + entries, p + people)
    return totals


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
    entries: int | Suppressed
    people: int | Suppressed  # distinct people with at least one entry of this kind


@dataclass
class VoiceSummary:
    period: Period
    members: int
    contributions: int
    contributors: int
    not_heard: int
    gini: float
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
    def contributions_shown(self) -> int | Suppressed:
        """The number of contributions, hidden when fewer than 5 people made them."""
        return Suppressed(THRESHOLD) if self.contributors < THRESHOLD else self.contributions

    @property
    def shown(self) -> dict[str, Figure]:
        """Heard / not heard as perturbed head counts (see `figures`)."""
        figures = self.figures
        return {"heard": figures["heard"], "not_heard": figures["not_heard"]}


def _in_period(period: Period, prefix: str = "") -> Q:
    return Q(**{f"{prefix}occurred_at__gte": period.since, f"{prefix}occurred_at__lt": period.until})


def _kind_rows(totals: dict[str, tuple[int, int]], choices) -> list[KindRow]:
    """Entries and distinct people per kind. Suppression follows the people: a kind taken by
    fewer than 5 people hides its people count and its entries (they describe those people)."""
    rows = []
    for value, label in choices:
        entries, people = totals.get(value, (0, 0))
        shown_people = equity.suppress(people)
        shown_entries = Suppressed(THRESHOLD) if isinstance(shown_people, Suppressed) else entries
        rows.append(KindRow(value, label, shown_entries, shown_people))
    return rows


def _kind_totals_of(qs: QuerySet) -> dict[str, tuple[int, int]]:
    """{kind: (entries, distinct people)} for a small set of rows (one context)."""
    return {
        r["kind"]: (r["n"], r["people"])
        for r in qs.values("kind").annotate(n=Count("pk"), people=Count("user", distinct=True)).order_by()
    }


def member_contributions(community: Community, period: Period) -> QuerySet[Contribution]:
    return Contribution.objects.filter(_in_period(period), community=community, user_id__in=_member_user_ids(community))


@people_aggregate
def voice_summary(community: Community, period: Period, *, members: int | None = None) -> VoiceSummary:
    """Gini of contributions across all members (silent ones count as zero) and the share heard."""
    if members is None:
        members = members_qs(community).count()
    qs = member_contributions(community, period)
    kinds = ContributionKind.values
    hist = _histogram(qs.values("user_id").annotate(n=Count("pk"), **_per_kind_columns(kinds)).order_by(), kinds=kinds)
    values = _values_from_histogram(hist, members)
    contributors = int(sum(r[1] for r in hist if r[0]))
    return VoiceSummary(
        period=period,
        members=members,
        contributions=int(values.sum()),
        contributors=contributors,
        not_heard=max(members - contributors, 0),
        gini=equity.gini(values),
        heard=equity.share_heard(values) if members else 0.0,
        by_kind=_kind_rows(_kind_totals(hist, kinds), ContributionKind.choices),
        surface=f"insights.voice:{community.pk}:{period.since:%Y-%m-%d}:{period.until:%Y-%m-%d}",
        member_ids=frozenset(members_qs(community).values_list("user_id", flat=True)),
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
    gini: float
    never: int  # members who never had one in this community
    by_kind: list[KindRow]

    @property
    def entries_shown(self) -> int | Suppressed:
        """The number of opportunities, hidden when fewer than 5 people had them."""
        return Suppressed(THRESHOLD) if self.people < THRESHOLD else self.entries

    @property
    def without_in_period(self) -> int:
        return max(self.members - self.people, 0)

    @property
    def shown(self) -> dict[str, int | Suppressed]:
        """Head counts as displayed: each pair adds up to the member total, so both go through suppression."""
        period = equity.suppress_cells({"with": self.people, "without": self.without_in_period}, THRESHOLD)
        ever = equity.suppress_cells({"had": self.members - self.never, "never": self.never}, THRESHOLD)
        return {**period, **ever}


def member_opportunities(community: Community, period: Period) -> QuerySet[OpportunityEntry]:
    return OpportunityEntry.objects.filter(
        _in_period(period), community=community, user_id__in=_member_user_ids(community)
    )


def opportunity_summary(community: Community, period: Period, *, members: int | None = None) -> OpportunitySummary:
    if members is None:
        members = members_qs(community).count()
    qs = member_opportunities(community, period)
    kinds = OpportunityKind.values
    hist = _histogram(qs.values("user_id").annotate(n=Count("pk"), **_per_kind_columns(kinds)).order_by(), kinds=kinds)
    values = _values_from_histogram(hist, members)
    ever = OpportunityEntry.objects.filter(community=community).values("user_id")
    never = members_qs(community).exclude(user_id__in=ever).count()
    return OpportunitySummary(
        period=period,
        members=members,
        entries=int(values.sum()),
        people=int(sum(r[1] for r in hist if r[0])),
        gini=equity.gini(values),
        never=never,
        by_kind=_kind_rows(_kind_totals(hist, kinds), OpportunityKind.choices),
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
    members: list[int | Suppressed]
    blau: dict[str, list[float | None]]  # dimension key -> one value per month
    labels: dict[str, str]
    gini: list[float]
    heard: list[float]
    contributions: list[int | Suppressed]  # hidden in a month with fewer than 5 contributors
    contributors: list[int | Suppressed]
    opportunities: list[int | Suppressed]
    opportunity_people: list[int | Suppressed]

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


def _cumulative(rows: list[dict], n_months: int, key_fn=None) -> tuple[list[dict[str, int]], list[int]]:
    """Per month: category counts and everyone, counting everyone who joined by the month's end."""
    per_bucket: dict[int, list[dict]] = {}
    for row in rows:
        per_bucket.setdefault(row["b"], []).append(row)
    counts: list[dict[str, int]] = []
    totals: list[int] = []
    running: dict[str, int] = {}
    total = 0
    for b in range(-1, n_months):
        for row in per_bucket.get(b, []):
            total += row["n"]
            if row["k"]:
                running[row["k"]] = running.get(row["k"], 0) + row["n"]
        if b >= 0:
            counts.append(dict(running))
            totals.append(total)
    return counts, totals


def _blau_or_none(counts: Sequence[int]) -> float | None:
    return equity.blau(counts) if sum(counts) >= THRESHOLD else None


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


def community_trend(
    community: Community,
    *,
    months: list[Month] | None = None,
    rows: _MemberRows | None = None,
    cache: bool = True,
) -> Trend:
    """Twelve monthly points: who was a member by then, how diverse, how evenly heard, who got roles.

    Membership history is reconstructed from `joined_at` of current members (people who left
    are not kept), so earlier months show today's members as they arrived.
    """
    months = rows.months if rows else (months or last_months(12))
    rows = rows or _member_rows(community, months)
    n = len(months)
    blau: dict[str, list[float | None]] = {}
    labels: dict[str, str] = {}
    totals: list[int] = [0] * n
    for key, label, _ in PROFILE_DIMENSIONS:
        counts, totals = _cumulative(rows.profile[key], n)
        labels[key] = label
        if key == "seniority":
            blau[key] = [_blau_or_none([c.get(v, 0) for v in Seniority.values]) for c in counts]
        else:
            blau[key] = [_blau_or_none(list(c.values())) for c in counts]
    arows = rows.diversity
    for attr, label in settings.DIVERSITY_ATTRIBUTES.items():
        counts, _ = _cumulative([r for r in arows if r["attribute"] == attr], n)
        blau[f"diversity:{attr}"] = [(private_indices(list(c.values())) or (None,))[0] for c in counts]
        labels[f"diversity:{attr}"] = label

    window = Period(start=timezone.localtime(months[0].start).date(), end=timezone.localdate())
    hist = _trend_histograms(community, months, window, cache=cache)
    gini, heard, volume, voices = [], [], [], []
    for i in range(n):
        rows_i = hist.get(i, [])
        # the voice population: members by the month's end, and anyone who took part in it
        # before their membership says they joined
        values = _values_from_histogram(rows_i, totals[i] + sum(r[2] for r in rows_i))
        gini.append(equity.gini(values))
        heard.append(equity.share_heard(values))
        contributors = equity.suppress(int(np.count_nonzero(values)))
        voices.append(contributors)
        volume.append(Suppressed(THRESHOLD) if isinstance(contributors, Suppressed) else int(values.sum()))
    opp = {
        r["b"]: r
        for r in member_opportunities(community, window)
        .annotate(b=_bucket("occurred_at", months))
        .values("b")
        .annotate(n=Count("pk"), people=Count("user", distinct=True))
        .order_by()
    }
    opp_people, opp_entries = [], []
    for i in range(n):
        r = opp.get(i, {"n": 0, "people": 0})
        people = equity.suppress(r["people"])
        opp_people.append(people)
        opp_entries.append(Suppressed(THRESHOLD) if isinstance(people, Suppressed) else r["n"])
    return Trend(
        months=months,
        members=[equity.suppress(t) for t in totals],
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
    invited: int
    contributors: int
    gini: float | None
    heard: float | None


def _population(info: dict | None, counts: dict[int, int]) -> list[int]:
    invited = [int(u) for u in (info or {}).get("invited_user_ids", [])]
    extra = [u for u in counts if u not in set(invited)]
    return invited + sorted(extra)


def context_summaries(community: Community, contexts: Sequence[str]) -> list[ContextSummary]:
    """One line per context (for a page of them): two queries whatever the number of contexts."""
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
        out.append(
            ContextSummary(
                context=c,
                title=str(info.get("title") or c) if info else c,
                kind=str(info.get("kind") or c.split(":")[0]) if info else c.split(":")[0],
                url=str(info.get("url") or "") if info else "",
                anonymous=anonymous,
                known=info is not None,
                invited=len(pop),
                contributors=sum(1 for v in values if v),
                gini=None if anonymous else equity.gini(values),
                heard=None if anonymous else equity.share_heard(values),
            )
        )
    return out


@dataclass
class GroupRow:
    label: str
    size: int | Suppressed
    blau: dict[str, float | None]


@dataclass
class ContextReport:
    context: str
    title: str
    kind: str
    url: str
    anonymous: bool
    known: bool
    population: int
    representation: list[Breakdown]
    voice: VoiceSummary | None  # None for anonymous contexts
    not_heard: list[dict] = field(default_factory=list)  # [] for anonymous contexts
    groups: list[GroupRow] = field(default_factory=list)
    deviation: dict[str, float | None] = field(default_factory=dict)  # max deviation of any group per dimension
    dimension_labels: dict[str, str] = field(default_factory=dict)


def _labels_for(pop: list[int], info: dict | None) -> tuple[dict[str, dict[int, str]], dict[str, str], dict[int, str]]:
    """Per person and dimension, a normalised category (None = not stated), plus display names."""
    labels: dict[str, dict[int, str]] = {"community": {}, "discipline": {}, "organisation": {}, "seniority": {}}
    pretty: dict[str, str] = {}
    names: dict[int, str] = {}
    for p in Profile.objects.filter(user_id__in=pop).values(
        "user_id", "display_name", "discipline", "organisation", "seniority", "user__email"
    ):
        uid = p["user_id"]
        names[uid] = p["display_name"] or p["user__email"].split("@", 1)[0]
        for dim in ("discipline", "organisation", "seniority"):
            k = _key(p[dim])
            if k:
                labels[dim][uid] = k
                pretty.setdefault(f"{dim}:{k}", _pretty_seniority(k) if dim == "seniority" else _norm(p[dim]))
    cids = [int(c) for c in (info or {}).get("community_ids", [])]
    if cids:
        order = {c: i for i, c in enumerate(cids)}
        rows = Membership.objects.filter(user_id__in=pop, community_id__in=cids).values(
            "user_id", "community_id", "community__name"
        )
        best: dict[int, tuple[int, str]] = {}
        for r in rows:
            rank = order[r["community_id"]]
            if r["user_id"] not in best or rank < best[r["user_id"]][0]:
                best[r["user_id"]] = (rank, r["community__name"])
        for uid, (_, name) in best.items():
            labels["community"][uid] = _key(name)
            pretty.setdefault(f"community:{_key(name)}", name)
    for a in DiversityAnswer.objects.filter(user_id__in=pop).values("user_id", "attribute", "value"):
        if a["attribute"] in settings.DIVERSITY_ATTRIBUTES:
            dim = f"diversity:{a['attribute']}"
            k = _key(a["value"])
            labels.setdefault(dim, {})[a["user_id"]] = k
            pretty.setdefault(f"{dim}:{k}", _norm(a["value"]))
    return labels, pretty, names


def context_report(community: Community, context: str, *, with_names: bool) -> ContextReport:
    """Representation of the people invited, per breakout group, and their voice, for one context."""
    info = resolve_context(context)
    q = Q(context=context) if info is not None else Q(context=context, community=community)
    counts = {
        r["user_id"]: r["n"]
        for r in Contribution.objects.filter(q).values("user_id").annotate(n=Count("pk")).order_by()
    }
    pop = _population(info, counts)
    anonymous = bool(info and info.get("anonymous"))
    labels, pretty, names = _labels_for(pop, info)

    dim_labels = {"community": "Community", **{k: lab for k, lab, _ in PROFILE_DIMENSIONS}}
    dim_labels |= {f"diversity:{a}": lab for a, lab in settings.DIVERSITY_ATTRIBUTES.items()}
    representation = []
    categories: dict[str, list[str]] = {}
    for dim, dim_label in dim_labels.items():
        if dim == "community" and not (info or {}).get("community_ids"):
            continue
        per_person = labels.get(dim, {})
        cats: dict[str, int] = {}
        for uid in pop:
            k = per_person.get(uid)
            if k:
                cats[k] = cats.get(k, 0) + 1
        if dim == "seniority":
            keys = list(Seniority.values) + [k for k in cats if k not in Seniority.values]
        else:
            keys = sorted(cats, key=lambda k: (-cats[k], k))
        categories[dim] = keys
        is_div = dim.startswith("diversity:")
        stated = sum(cats.values())
        representation.append(
            build_breakdown(
                dim,
                dim_label,
                [(pretty.get(f"{dim}:{k}", k), cats.get(k, 0)) for k in keys],
                not_stated=0 if is_div else max(len(pop) - stated, 0),
                fixed=dim == "seniority",
                private=is_div,
                note="Only people who chose to share this answer are counted." if is_div else "",
            )
        )

    groups, deviation = [], {}
    raw_groups = (info or {}).get("groups") or {}
    if raw_groups:
        members_of = {str(g): [int(u) for u in uids] for g, uids in raw_groups.items()}
        for dim in categories:
            keys = categories[dim]
            if not keys:
                deviation[dim] = None
                continue
            per_person = labels.get(dim, {})
            table = [[sum(1 for u in uids if per_person.get(u) == k) for k in keys] for uids in members_of.values()]
            room = [sum(1 for u in pop if per_person.get(u) == k) for k in keys]
            respondents = sum(room)
            if dim.startswith("diversity:"):
                deviation[dim] = None  # describes groups of a few people: never for private attributes
            else:
                deviation[dim] = equity.composition_deviation(table, room) if respondents else 0.0
        for g, uids in members_of.items():
            row_blau = {}
            for dim in categories:
                per_person = labels.get(dim, {})
                vals = [per_person.get(u) for u in uids if per_person.get(u)]
                if dim.startswith("diversity:"):
                    indices = private_indices([vals.count(k) for k in categories[dim]])
                    row_blau[dim] = indices[0] if indices else None
                else:
                    # profile facts are visible to members anyway; the index needs the room's categories
                    row_blau[dim] = (
                        equity.blau([vals.count(k) for k in categories[dim]]) if vals and categories[dim] else 0.0
                    )
            groups.append(GroupRow(label=g, size=equity.suppress(len(uids)), blau=row_blau))

    voice = None
    not_heard: list[dict] = []
    if not anonymous:
        values = [counts.get(u, 0) for u in pop]
        contributors = sum(1 for v in values if v)
        kinds = Contribution.objects.filter(q, user_id__in=pop)
        voice = VoiceSummary(
            period=None,  # type: ignore[arg-type]  # a context is its own period
            members=len(pop),
            contributions=sum(values),
            contributors=contributors,
            not_heard=len(pop) - contributors,
            gini=equity.gini(values),
            heard=equity.share_heard(values),
            by_kind=_kind_rows(_kind_totals_of(kinds), ContributionKind.choices),
            surface=f"insights.context:{context}",
            member_ids=frozenset(pop),
            contributor_ids=frozenset(u for u in pop if counts.get(u)),
        )
        if with_names:
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
        population=len(pop),
        representation=representation,
        voice=voice,
        not_heard=not_heard,
        groups=groups,
        deviation=deviation,
        dimension_labels={d: dim_labels[d] for d in categories},
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
