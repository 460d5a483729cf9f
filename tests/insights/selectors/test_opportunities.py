"""selectors/opportunities.py: who gets the opportunities, the ledger and rotation."""

from __future__ import annotations

import datetime as dt

import pytest

from convene.communities.ledgers import opportunity_record
from convene.engines import equity
from convene.insights import selectors
from convene.insights.periods import default_period

from ..conftest import NOW, near


def _names(rows):
    return [r.user.display_name for r in rows]


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
