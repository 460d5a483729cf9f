"""selectors/voting.py: which statement a participant sees next."""

from convene.deliberation import selectors, services


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
    picks = [selectors.next_statement(response, None, rng=seed)[0].pk for seed in range(40)]
    assert picks.count(fresh.pk) > 40 / len(statements + [fresh])
