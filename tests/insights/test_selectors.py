"""Insight reads against hand-computed values and the engine."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from convene.communities.ledgers import contribution_record, opportunity_record
from convene.communities.models import Membership, Role
from convene.engines import equity
from convene.insights import selectors
from convene.insights.periods import Period, default_period, last_months
from convene.insights.selectors import common

from ..factories import CommunityFactory, MembershipFactory, UserFactory
from .conftest import NOW, near


def _names(rows):
    return [r.user.display_name for r in rows]


def test_representation_counts_are_perturbed_on_fixed_categories(eq):
    rep = selectors.community_representation(eq.community)
    assert rep.people == 13 and near(rep.population, 13)  # guest not counted
    disc = {b.key: b for b in rep.breakdowns}["discipline"]
    # "Nurse" and "nurse " are one category; categories are the values >= 5 people give site-wide
    cells = {c.label: c.value for c in disc.cells}
    assert near(cells["Nurse"], 7)
    assert "Doctor" not in cells and "Pharmacist" not in cells  # fewer than 5 on the site
    assert "Other answers" not in cells or near(cells["Other answers"], 5)  # a hidden "Other" row is left out
    assert near(cells["Not answered"], 1)
    assert near(disc.total, 13)
    # the index comes from the protected figures (hidden cells count as 0), rounded to 0.05
    assert disc.blau == selectors.coarse(equity.blau([cells["Nurse"].value or 0]))
    again = {b.key: b for b in selectors.community_representation(eq.community).breakdowns}["discipline"]
    assert again == disc  # asking again gives the same figures


def test_seniority_lists_all_bands(eq):
    sen = {b.key: b for b in selectors.community_representation(eq.community).breakdowns}["seniority"]
    assert sen.categories == 5
    true = dict(zip(["Student", "Early career", "Mid career", "Senior", "Leader"], [1, 2, 4, 3, 1], strict=True))
    for cell in sen.cells:
        if cell.label in true:
            assert near(cell.value, true[cell.label]), cell.label


def test_diversity_attribute_is_perturbed_with_a_band(eq):
    gender = {b.key: b for b in selectors.community_representation(eq.community).breakdowns}["diversity:gender"]
    cells = {c.label: c.value for c in gender.cells}
    assert near(cells["woman"], 5) and near(cells["Not answered"], 4)
    assert "man" not in cells  # 4 answers on the whole site: counted under "Other answers"
    assert near(gender.total, 13)  # everyone is counted; those who did not share are "Not answered"
    assert all(c.share.hidden or c.share.value % 5 == 0 for c in gender.cells)


def test_diversity_rows_are_fixed_site_wide(db):
    community = CommunityFactory(slug="big")
    from convene.accounts.models import DiversityAnswer

    for i in range(16):
        user = UserFactory()
        MembershipFactory(community=community, user=user)
        DiversityAnswer.objects.create(user=user, attribute="gender", value=["woman", "man"][i % 2] if i < 12 else "x")
    gender = {b.key: b for b in selectors.community_representation(community).breakdowns}["diversity:gender"]
    # "x" has 4 answers on the whole site: never a row of its own, counted under "Other answers"
    labels = [c.label for c in gender.cells]
    assert labels[:2] == ["man", "woman"] and "x" not in labels
    assert all(c.value.hidden or c.value.value % 5 == 0 for c in gender.cells)


def test_indices_come_from_protected_figures(db):
    f = common.privacy.Figure
    assert common._indices([f(10, True)]) == (0.0, 0.0)
    assert common._indices([f(None)]) == (None, None)
    assert common._indices([f(10, True), f(10, True)]) == (1.0, 1.0)
    assert selectors.coarse(0.8148) == 0.8


def test_voice_counts_silent_members_as_zero(eq):
    voice = selectors.voice_summary(eq.community, default_period())
    expected = [6, 3, 3, 1, 1] + [0] * 8
    assert voice.gini == selectors.coarse(equity.gini(expected))
    assert voice.heard == pytest.approx(5 / 13)
    assert (voice.members, voice.contributions, voice.contributors, voice.not_heard) == (13, 14, 5, 8)
    turns = {k.kind: k for k in voice.by_kind}["turn"]
    assert near(turns.people, 5) and (turns.entries.hidden == turns.people.hidden)
    assert {k.kind: k for k in voice.by_kind}["note"].entries.hidden
    assert voice.contributions_shown.hidden or voice.contributions_shown.value % 5 == 0


def test_not_yet_heard_lists_quiet_members_only(eq):
    quiet = _names(selectors.not_yet_heard(eq.community, default_period()))
    assert quiet == ["Cora Coordinator", "Di", "Ed", "Fay", "Ivy", "Jo", "Kit", "Lou"]
    assert "Vic Visitor" not in quiet


def test_empty_period_and_empty_community_are_defined(eq, db):
    old = Period(dt.date(2001, 1, 1), dt.date(2001, 1, 31))
    voice = selectors.voice_summary(eq.community, old)
    assert (voice.gini, voice.heard, voice.contributions, voice.not_heard) == (0.0, 0.0, 0, 13)
    assert voice.empty
    empty = CommunityFactory(slug="nobody")
    assert selectors.voice_summary(empty, default_period()).gini is None  # fewer than 5 people
    assert selectors.opportunity_summary(empty, default_period()).gini is None
    rep = selectors.community_representation(empty)
    assert rep.people == 0 and all(b.hidden for b in rep.breakdowns)
    trend = selectors.community_trend(empty)
    assert len(trend.months) == 12 and trend.gini == [None] * 12


def test_opportunities(eq):
    opp = selectors.opportunity_summary(eq.community, default_period())
    assert opp.gini == selectors.coarse(equity.gini([2, 1] + [0] * 11))
    assert (opp.entries, opp.people, opp.never) == (3, 2, 10)
    shown = opp.shown
    assert shown["with"].hidden and near(shown["without"], 11) and near(shown["never"], 10)
    assert opp.entries_shown.hidden  # hidden with the two people who had them
    ledger = {m.user.display_name: m for m in selectors.opportunity_ledger(eq.community, default_period())}
    assert (ledger["Ada"].total, ledger["Ada"].n_facilitator, ledger["Ada"].n_speaker) == (2, 1, 1)
    assert (ledger["Cy"].total, ledger["Cy"].ever) == (0, 1)
    assert ledger["Lou"].last_at is None


def test_ledger_orders(eq):
    fewest = _names(selectors.opportunity_ledger(eq.community, default_period()))
    assert fewest[-2:] == ["Bo", "Ada"] and fewest[-3] == "Cy"
    most = _names(selectors.opportunity_ledger(eq.community, default_period(), order="most"))
    assert most[:2] == ["Ada", "Bo"]


def test_rotation_suggestion(eq):
    c = eq.community
    names = [s.name for s in selectors.rotation_suggestion(c)]
    assert names == ["Cora Coordinator", "Di", "Ed", "Fay", "Gus"]
    everyone = [s.name for s in selectors.rotation_suggestion(c, limit=50)]
    assert everyone[-3:] == ["Cy", "Bo", "Ada"] and "Vic Visitor" not in everyone
    ids = [p.pk for p in eq.people[:3]]
    fit = selectors.rotation_suggestion(c, kind="facilitator", eligible_user_ids=ids)
    assert [s.name for s in fit] == ["Cy", "Ada", "Bo"]
    assert fit[1].recent == 1 and fit[0].last_at is None
    mentor = [s.name for s in selectors.rotation_suggestion(c, kind="mentor", limit=50)]
    assert mentor[-1] == "Cy"
    assert selectors.rotation_suggestion(c, limit=0) == []
    with pytest.raises(ValueError):
        selectors.rotation_suggestion(c, kind="king")


def test_members_with_skill(eq):
    from convene.accounts.models import Skill

    eq.people[3].profile.skills.add(Skill.objects.create(name="python"))
    assert selectors.members_with_skill(eq.community, "  PYTH ") == [eq.people[3].pk]


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


def test_context_without_owner_counts_contributors(eq):
    report = selectors.context_report(eq.community, "session:900", with_names=True)
    assert not report.known and near(report.population, 6)  # 5 members and the guest
    assert report.voice.gini == selectors.coarse(equity.gini([6, 3, 3, 1, 1, 1]))
    assert report.not_heard == []


def test_context_with_owner(eq, fake_contexts):
    p = eq.people
    fake_contexts["session:900"] = {
        "title": "Discharge planning",
        "url": "/s/900/",
        "kind": "session",
        "community_ids": [eq.community.pk],
        "invited_user_ids": [u.pk for u in p[:6]] + [eq.guest.pk],
        "anonymous": False,
        "groups": {"Table 1": [u.pk for u in p[:3]], "Table 2": [u.pk for u in p[3:6]]},
    }
    report = selectors.context_report(eq.community, "session:900", with_names=True)
    assert report.title == "Discharge planning" and near(report.population, 9)  # 7 invited + Gus, Hal spoke
    assert report.voice.gini == selectors.coarse(equity.gini([6, 3, 3, 0, 0, 0, 1, 1, 1]))
    assert report.voice.heard == pytest.approx(6 / 9)
    assert [r["name"] for r in report.not_heard] == ["Di", "Ed", "Fay"]
    assert [g.label for g in report.groups] == ["Table 1", "Table 2"]
    # Table 1: early, early, mid; the room's seniority bands are the five fixed ones
    assert report.groups[0].size.hidden  # three people
    assert report.groups[0].blau["diversity:gender"] is None  # three people: figures hidden, no index
    assert report.deviation["diversity:gender"] is None  # groups under 5: no deviation either
    summaries = selectors.context_summaries(eq.community, ["session:900"])
    # the list and the context's own page show the same figures (same population keys)
    assert summaries[0].contributors == report.voice.shown["heard"] and summaries[0].invited == report.population
    assert selectors.context_list(eq.community)[0] == "session:900"


def test_anonymous_context_has_no_names_and_no_voice(eq, fake_contexts):
    fake_contexts["response:5"] = {
        "title": "Response to the new policy",
        "url": "",
        "kind": "response",
        "community_ids": [eq.community.pk],
        "invited_user_ids": [u.pk for u in eq.people],
        "anonymous": True,
        "groups": {},
    }
    report = selectors.context_report(eq.community, "response:5", with_names=True)
    assert report.anonymous and report.voice is None and report.not_heard == []
    assert near(report.population, 12)
    [summary] = selectors.context_summaries(eq.community, ["response:5"])
    assert summary.gini is None and summary.heard is None


def test_context_membership_rules(eq, fake_contexts):
    other = CommunityFactory(slug="elsewhere")
    fake_contexts["project:3"] = {"title": "T", "community_ids": [other.pk], "invited_user_ids": []}
    info = selectors.resolve_context("project:3")
    assert not selectors.context_in_community(eq.community, "project:3", info)
    assert selectors.context_in_community(other, "project:3", info)
    assert not selectors.context_in_community(eq.community, "session:777", None)
    assert not selectors.context_in_community(eq.community, "../etc", None)
    assert selectors.valid_context("session:12") and not selectors.valid_context("session")


def test_kind_tables_count_distinct_people_and_suppress_on_people(eq):
    """Two people cast 8 votes: 8 entries, but they describe 2 people, so both are hidden."""
    recent = NOW - dt.timedelta(days=1)
    for person, n in ((eq.people[3], 5), (eq.people[4], 3)):
        for _ in range(n):
            contribution_record(
                community=eq.community, user=person, kind="vote", context="response:1", occurred_at=recent
            )
    kinds = {k.kind: k for k in selectors.voice_summary(eq.community, default_period()).by_kind}
    assert kinds["vote"].people.hidden and kinds["vote"].entries.hidden
    for person in eq.people[5:8]:
        contribution_record(community=eq.community, user=person, kind="vote", context="response:1", occurred_at=recent)
    kinds = {k.kind: k for k in selectors.voice_summary(eq.community, default_period()).by_kind}
    assert near(kinds["vote"].people, 5) and near(kinds["turn"].people, 5)
    assert kinds["vote"].entries.hidden or near(kinds["vote"].entries, 11)
    # the guest's comment does not count: guests are not members
    assert kinds["comment"].people.hidden


def test_opportunity_kind_people(eq):
    recent = NOW - dt.timedelta(days=1)
    for i, person in enumerate(eq.people[2:7]):
        opportunity_record(
            community=eq.community, user=person, kind="speaker", source=f"session:{70 + i}", occurred_at=recent
        )
    opportunity_record(
        community=eq.community, user=eq.people[2], kind="speaker", source="session:99", occurred_at=recent
    )
    opp = selectors.opportunity_summary(eq.community, default_period())
    kinds = {k.kind: k for k in opp.by_kind}
    # Ada's speaker slot, five new people, and Cy twice: 6 people, 7 entries
    assert near(kinds["speaker"].people, 6) and (kinds["speaker"].entries.hidden or near(kinds["speaker"].entries, 7))
    assert kinds["facilitator"].people.hidden  # Ada and Bo
    assert opp.entries == 9 and opp.people == 7 and near(opp.shown["with"], 7)


def _trend_queries(community, **kwargs):
    with CaptureQueriesContext(connection) as ctx:
        trend = selectors.community_trend(community, **kwargs)
    return trend, len(ctx.captured_queries)


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
