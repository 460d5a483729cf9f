"""selectors/contexts.py: reports on one context (a session, a response, a project)."""

from __future__ import annotations

import pytest

from convene.engines import equity
from convene.insights import selectors

from ...factories import CommunityFactory
from ..conftest import near


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
