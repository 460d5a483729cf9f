"""selectors/trends.py: month-by-month trends against the engine, and their cache."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from convene.communities.ledgers import contribution_record
from convene.communities.models import Membership, Role
from convene.engines import equity
from convene.insights import selectors
from convene.insights.periods import last_months

from ...factories import MembershipFactory, UserFactory
from ..conftest import NOW, near


def _trend_queries(community, **kwargs):
    with CaptureQueriesContext(connection) as ctx:
        trend = selectors.community_trend(community, **kwargs)
    return trend, len(ctx.captured_queries)


def test_trend_matches_engine_month_by_month(eq):
    months = last_months(12)
    trend = selectors.community_trend(eq.community, months=months)
    assert [m.label for m in trend.months] == [m.label for m in months]
    joined = [m.joined_at for m in selectors.members_qs(eq.community)]
    for i, month in enumerate(months):
        members = sum(1 for j in joined if j < month.end)
        assert near(trend.members[i], members)
        spoke = [6, 3, 3, 1, 1] if month.start <= NOW - dt.timedelta(days=3) < month.end else []
        expected = spoke + [0] * (members - len(spoke))
        gini = selectors.coarse(equity.gini(expected)) if members >= 5 else None
        assert trend.gini[i] == gini, month.label
        assert near(trend.contributors[i], len(spoke))
    assert all(c.hidden or c.value % 5 == 0 for c in trend.contributions)
    # discipline diversity of the whole community in the last month, as the dashboard shows it
    disc = {b.key: b for b in selectors.community_representation(eq.community).breakdowns}["discipline"]
    assert trend.blau["discipline"][-1] is None or 0.0 <= trend.blau["discipline"][-1] <= 1.0
    assert disc.blau is None or 0.0 <= disc.blau <= 1.0


def test_trend_cache_agrees_with_a_fresh_computation_and_is_used(eq):
    cache.clear()
    fresh, _ = _trend_queries(eq.community, cache=False)
    first, n_first = _trend_queries(eq.community)
    again, n_again = _trend_queries(eq.community)
    assert first == fresh and again == fresh
    assert n_again < n_first  # the closed months came from the cache


def test_a_backdated_contribution_invalidates_the_cached_month(eq):
    cache.clear()
    months = last_months(12)
    before, _ = _trend_queries(eq.community)
    target = months[4]
    when = target.start + dt.timedelta(days=2)
    for person in eq.people[:6]:
        contribution_record(community=eq.community, user=person, kind="note", context="archive:x", occurred_at=when)
    after, _ = _trend_queries(eq.community)
    assert after == selectors.community_trend(eq.community, cache=False)
    assert before.contributors[4].hidden and near(after.contributors[4], 6)
    assert after.contributions[4].hidden or near(after.contributions[4], 6)
    # new contributions in the open month keep the entry (the mark moves on past them) ...
    contribution_record(community=eq.community, user=eq.people[0], kind="vote", context="response:2")
    _, n_hit = _trend_queries(eq.community)
    again, n_again = _trend_queries(eq.community)
    assert n_hit == n_again and again == selectors.community_trend(eq.community, cache=False)
    # ... and a backdated one above the moved mark is still noticed
    contribution_record(community=eq.community, user=eq.people[7], kind="note", context="archive:x", occurred_at=when)
    latest, _ = _trend_queries(eq.community)
    assert near(latest.contributors[4], 7) and latest == selectors.community_trend(eq.community, cache=False)


def test_membership_changes_invalidate_the_cached_months(eq):
    cache.clear()
    months = last_months(12)
    when = months[3].start + dt.timedelta(days=1)
    for person in eq.people[:5]:
        contribution_record(community=eq.community, user=person, kind="turn", context="archive:y", occurred_at=when)
    cached, _ = _trend_queries(eq.community)
    assert near(cached.contributors[3], 5)
    # one of the five becomes a guest: her contributions no longer count in any month
    Membership.objects.filter(community=eq.community, user=eq.people[0]).update(role=Role.GUEST)
    after, _ = _trend_queries(eq.community)
    assert after == selectors.community_trend(eq.community, cache=False)
    assert near(after.contributors[3], 4)


def test_trend_counts_people_who_took_part_before_their_membership_says_they_joined(eq):
    """History from before Convene: someone spoke in a month before their `joined_at`."""
    cache.clear()
    months = last_months(12)
    target = months[6]
    when = target.start + dt.timedelta(days=1)
    newcomer = UserFactory(name="Nia Newcomer")
    MembershipFactory(community=eq.community, user=newcomer)  # joined now
    for _ in range(2):
        contribution_record(community=eq.community, user=newcomer, kind="turn", context="archive:z", occurred_at=when)
    lou = eq.people[11]  # joined a year ago
    contribution_record(community=eq.community, user=lou, kind="turn", context="archive:z", occurred_at=when)
    joined = [m.user_id for m in selectors.members_qs(eq.community) if m.joined_at < target.end]
    assert lou.pk in joined and newcomer.pk not in joined
    expected = [2, 1] + [0] * (len(joined) - 1)  # everyone who had joined, plus the newcomer
    for cached in (False, True, True):
        trend = selectors.community_trend(eq.community, cache=cached)
        assert trend.gini[6] == selectors.coarse(equity.gini(expected))
        assert near(trend.contributors[6], 2)
        assert near(trend.members[6], len(joined))  # members by then, as their memberships say
