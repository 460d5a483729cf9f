"""A minority view is proposed only where the others really disagree, never from passes alone."""

from __future__ import annotations

from convene.deliberation import selectors, services
from convene.deliberation.models import MinorityView, Phase
from convene.deliberation.selectors.reports import minority_candidates

GROUPS = [
    {"id": 0, "label": "A", "size": 8, "representative": []},
    {
        "id": 1,
        "label": "B",
        "size": 3,
        "representative": [{"id": 7, "text": "Keep direct referrals.", "direction": "agree"}],
    },
]


def _case(*, mine, whole):
    by_statement = [{"id": 7, "by_group": {"1": mine}}]
    counts = {"7": whole}
    return minority_candidates(GROUPS, by_statement, counts)


def test_others_disagreeing_makes_a_minority_view():
    found = _case(
        mine={"agree": 3, "disagree": 0, "votes": 3},
        whole={"agree": 4, "disagree": 6, "pass": 1},
    )
    assert found == [{"id": 7, "text": "Keep direct referrals.", "held_by": "Group B (3 people)"}]


def test_others_passing_is_not_disagreement():
    assert not _case(
        mine={"agree": 3, "disagree": 0, "votes": 3},
        whole={"agree": 4, "disagree": 1, "pass": 8},  # the old rule (overall agree < 50 %) proposed this
    )


def test_one_person_disagreeing_is_not_enough_and_the_group_must_hold_it():
    assert not _case(mine={"agree": 3, "disagree": 0, "votes": 3}, whole={"agree": 3, "disagree": 1, "pass": 0})
    assert not _case(mine={"agree": 1, "disagree": 0, "votes": 3}, whole={"agree": 1, "disagree": 6, "pass": 2})
    assert not _case(mine={"agree": 3, "disagree": 0, "votes": 3}, whole={"agree": 8, "disagree": 4, "pass": 0})


def test_groups_of_the_same_size_are_no_minority():
    same = [{**GROUPS[0], "size": 3}, GROUPS[1]]
    by_statement = [{"id": 7, "by_group": {"1": {"agree": 3, "disagree": 0, "votes": 3}}}]
    assert minority_candidates(same, by_statement, {"7": {"agree": 3, "disagree": 3, "pass": 0}}) == []


def test_one_group_or_none_proposes_nothing():
    assert minority_candidates(GROUPS[:1], [], {}) == []
    assert minority_candidates([], [], {}) == []


def _seed(boundary, value_for):
    b = boundary
    response = b.open_response()
    texts = [f"Statement number {k} about the letters." for k in range(6)]
    statements = [b.statement(response, t) for t in texts]
    for i, user in enumerate(b.members):
        for k, s in enumerate(statements):
            services.vote_cast(response=response, user=user, statement_id=s.pk, value=value_for(i, k))
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    return response, statements


def test_seeded_draft_keeps_a_minority_that_the_others_reject(boundary):
    # seven agree with the first three and reject the rest; three hold the opposite view
    response, statements = _seed(boundary, lambda i, k: (1 if k < 3 else -1) * (1 if i < 7 else -1))
    views = MinorityView.objects.filter(response=response)
    assert views.exists()
    assert {v.statement_id for v in views} <= {s.pk for s in statements[3:]}
    assert all(v.held_by.startswith("Group ") for v in views)


def test_seeded_draft_proposes_none_when_the_others_only_pass(boundary):
    # seven pass on the last three statements (and agree with the rest); three agree with everything
    response, statements = _seed(boundary, lambda i, k: 1 if (i >= 7 or k < 3) else 0)
    services.map_refresh(response=response)
    view = selectors.map_view(response)
    smaller = min(view["groups"], key=lambda g: g["size"])
    # the smaller group does agree with statements most others did not agree with (they passed):
    # the old rule ("under 50 % agree overall") proposed these as minority views
    assert any(r["direction"] == "agree" and r["agree_pct"] < 50 for r in smaller["representative"])
    assert view["minority"] == []
    assert not MinorityView.objects.filter(response=response).exists()
