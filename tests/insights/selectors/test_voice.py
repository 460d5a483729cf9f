"""selectors/voice.py: who is heard, silent members counted as zero."""

from __future__ import annotations

import datetime as dt

import pytest

from convene.communities.ledgers import contribution_record
from convene.engines import equity
from convene.insights import selectors
from convene.insights.periods import default_period

from ..conftest import NOW, near


def _names(rows):
    return [r.user.display_name for r in rows]


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
