"""selectors/voting.py: which statement a participant sees next."""

import numpy as np
import pytest

from convene.deliberation import selectors, services
from convene.deliberation.selectors import voting


def test_next_statement_prefers_unvoted_and_skips_voted(boundary):
    b = boundary
    response = b.open_response()
    statements = b.statements(response)
    participant = None
    seen = set()
    for _ in statements:
        st, remaining = selectors.next_statement(response, participant, rng=1)
        assert st.pk not in seen
        seen.add(st.pk)
        services.vote_cast(response=response, user=b.members[0], statement_id=st.pk, value=0)
        participant = services.participant_for(response, b.members[0], create=False)
    assert selectors.next_statement(response, participant) == (None, 0)
    # a new, unvoted statement gets a higher priority than heavily voted ones
    for user in b.members[1:]:
        for s in statements:
            services.vote_cast(response=response, user=user, statement_id=s.pk, value=1)
    fresh = b.statement(response, "A brand new point.")
    response.refresh_from_db()  # the pool is keyed by the map revision the new statement moved
    pool = selectors.statement_pool(response)
    priority = dict(zip(pool.ids.tolist(), np.diff(pool.cumulative, prepend=0.0), strict=True))
    assert all(priority[fresh.pk] > priority[s.pk] for s in statements)
    # and it is drawn in proportion to it (1,000 seeded draws: within three standard deviations)
    share = priority[fresh.pk] / sum(priority.values())
    picks = [selectors.next_statement(response, None, rng=seed)[0].pk for seed in range(1000)]
    assert abs(picks.count(fresh.pk) / 1000 - share) < 3 * (share * (1 - share) / 1000) ** 0.5


@pytest.mark.parametrize("left", [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [2, 5, 9], [9]])
def test_the_first_draw_left_is_drawn_in_proportion_to_priority_among_those_left(left):
    # Draws from the whole pool: whichever statements a participant has done, the first draw that
    # is left to them falls on each statement left in proportion to its priority.
    weights = np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    cumulative = np.cumsum(weights)
    rng = np.random.default_rng(7)
    firsts = []
    while len(firsts) < 20_000:
        hit = [int(i) for i in voting._draw(cumulative, rng, voting.CANDIDATES) if i in left]
        firsts += hit[:1]
    counts = np.bincount(firsts, minlength=len(weights))[left] / len(firsts)
    expected = weights[left] / weights[left].sum()
    assert np.abs(counts - expected).max() < 0.015


def test_remaining_counts_only_the_pools_statements():
    ids = np.array([3, 8, 20, 41])
    assert voting._count_in(ids, {8, 41, 99, 1}) == 2
    assert voting._count_in(ids, set()) == 0
    assert voting._count_in(ids, {3, 8, 20, 41}) == 4


def test_a_participant_done_with_every_candidate_still_gets_a_statement_left(boundary, monkeypatch):
    b = boundary
    response = b.open_response()
    statements = b.statements(response)
    for s in statements[:-1]:
        services.vote_cast(response=response, user=b.members[0], statement_id=s.pk, value=1)
    participant = services.participant_for(response, b.members[0], create=False)
    monkeypatch.setattr(voting, "CANDIDATES", 1)  # one draw: usually a statement already voted on
    picked = {selectors.next_statement(response, participant, rng=seed) for seed in range(20)}
    assert {(st.pk, remaining) for st, remaining in picked} == {(statements[-1].pk, 1)}
