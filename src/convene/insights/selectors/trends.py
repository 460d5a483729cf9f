"""The twelve-month trend, with its cache of closed months (docs/insights.md, "Trend cache")."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache as django_cache
from django.db import connection
from django.db.models import Count, F, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Mod
from django.utils import timezone

from convene.communities.models import (
    Community,
    Contribution,
    Membership,
)
from convene.privacy.disclosure import Figure, activity_count, people_aggregate, people_count, share

from ..periods import Month, Period, last_months
from .common import dimension_maps, histogram_values, month_bucket, protected_breakdowns
from .opportunities import member_opportunities
from .representation import MemberRows, member_rows, member_user_ids, members_qs, surface_name
from .voice import gini_index


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
            user_id__in=member_user_ids(community),
            occurred_at__gte=since,
            occurred_at__lt=until,
        )
        .annotate(b=month_bucket("occurred_at", months))
        # person first in the GROUP BY: it follows the covering index (community, user, occurred_at, kind)
        .values("user_id", "b")
        .annotate(n=Count("pk"))
        .order_by()
    )
    sql, params = inner.query.sql_with_params()
    adapt = connection.ops.adapt_datetimefield_value
    joined = f"m.{q('joined_at')}"
    # the month the person joined in, as an index like `month_bucket`'s (-1 before, len after)
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
    rows = (
        qs.annotate(b=month_bucket("occurred_at", months))
        .values_list("b", "user_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for b, uid, n in rows:
        if 0 <= b < len(months):
            out.setdefault(int(b), {})[int(uid)] = int(n)
    return out


@people_aggregate
def community_trend(
    community: Community,
    *,
    months: list[Month] | None = None,
    rows: MemberRows | None = None,
    cache: bool = True,
) -> Trend:
    """Twelve monthly points: who was a member by then, how diverse, how evenly heard, who got roles.

    Membership history is reconstructed from `joined_at` of current members (people who left
    are not kept), so earlier months show today's members as they arrived. Each month's figures
    are perturbed on a key of that month's own population (the ids counted), so comparing two
    months that differ by one newcomer compares two independent draws.
    """
    months = rows.months if rows else (months or last_months(12))
    rows = rows or member_rows(community, months)
    profile_dims, diversity_dims = dimension_maps()
    dims = {**profile_dims, **diversity_dims}
    labels = dict(dims)
    blau: dict[str, list[float | None]] = {k: [] for k in dims}
    members: list[Figure] = []
    population: list[list[int]] = []
    for i, m in enumerate(months):
        ids = rows.by_month(i)
        population.append(ids)
        surface = f"{surface_name(community, 'trend')}:{m.label}"
        members.append(people_count(surface=surface, person_ids=ids))
        for b in protected_breakdowns(surface, rows.facts, ids, dims):
            blau[b.key].append(b.blau)

    window = Period(start=timezone.localtime(months[0].start).date(), end=timezone.localdate())
    hist = _trend_histograms(community, months, window, cache=cache)
    spoke = _ids_per_month(
        Contribution.objects.filter(
            community=community,
            user_id__in=member_user_ids(community),
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
        values = histogram_values(rows_i, len(voice_pop))
        surface = f"{surface_name(community, 'trend.voice')}:{m.label}"
        heard_n = people_count(surface=f"{surface}:heard", person_ids=who)
        everyone = people_count(surface=f"{surface}:members", person_ids=voice_pop)
        gini.append(gini_index(values, len(voice_pop)))
        heard.append(share(heard_n, everyone))
        voices.append(heard_n)
        volume.append(activity_count(surface=f"{surface}:heard", person_ids=who, entries=sum(who.values())))
    given = _ids_per_month(member_opportunities(community, window), months)
    opp_people, opp_entries = [], []
    for i, m in enumerate(months):
        who = given.get(i, {})
        surface = f"{surface_name(community, 'trend.opportunities')}:{m.label}"
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
