"""selectors/common.py: indices from protected figures, and empty periods and communities."""

from __future__ import annotations

import datetime as dt

from convene.insights import selectors
from convene.insights.periods import Period, default_period
from convene.insights.selectors import common

from ...factories import CommunityFactory


def test_indices_come_from_protected_figures(db):
    f = common.privacy.Figure
    assert common._indices([f(10, True)]) == (0.0, 0.0)
    assert common._indices([f(None)]) == (None, None)
    assert common._indices([f(10, True), f(10, True)]) == (1.0, 1.0)
    assert selectors.coarse(0.8148) == 0.8


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
