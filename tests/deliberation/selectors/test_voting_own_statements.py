"""Nobody is asked to vote on their own statement: `next_statement` leaves out what the participant wrote."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from convene.deliberation import selectors, services
from convene.deliberation.models import Participant

from ...conftest import ApiClient


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def test_own_statements_are_never_drawn_and_not_counted_as_left(boundary):
    b = boundary
    response = b.open_response()
    author = b.coordinator  # a coordinator's statements are accepted at once
    own = [b.statement(response, f"My own view number {i}.", by=author) for i in range(3)]
    other = b.statement(response, "Someone else's view.", by=b.members[0])
    services.statement_moderate(statement=other, actor=author, decision="accept", reason="")
    response.refresh_from_db()
    participant = Participant.objects.get(response=response, user=author)
    for seed in range(15):
        picked, remaining = selectors.next_statement(response, participant, rng=seed)
        assert picked.pk == other.pk and remaining == 1
    services.vote_cast(response=response, user=author, statement_id=other.pk, value=1)
    assert selectors.next_statement(response, participant) == (None, 0)
    # everyone else is asked about them
    reader = services.participant_for(response, b.members[1], create=True)
    seen = {selectors.next_statement(response, reader, rng=seed)[0].pk for seed in range(40)}
    assert {s.pk for s in own} <= seen


def test_own_and_voted_statements_together_in_one_query(boundary, django_assert_max_num_queries):
    b = boundary
    response = b.open_response()
    mine = b.statement(response, "Written by member two.", by=b.members[2])
    services.statement_moderate(statement=mine, actor=b.coordinator, decision="accept", reason="")
    others = [b.statement(response, f"Coordinator's view {i}.") for i in range(3)]
    services.vote_cast(response=response, user=b.members[2], statement_id=others[0].pk, value=-1)
    response.refresh_from_db()
    participant = Participant.objects.get(response=response, user=b.members[2])
    selectors.next_statement(response, participant, rng=0)  # the pool is now cached
    with django_assert_max_num_queries(2):  # voted-or-written ids with the drawn texts (+ one if all were done)
        picked, remaining = selectors.next_statement(response, participant, rng=1)
    assert remaining == 2 and picked.pk in {others[1].pk, others[2].pk}


def test_the_vote_page_does_not_show_my_own_statement(boundary, client):
    b = boundary
    response = b.open_response()
    mine = b.statement(response, "Only my view is here.", by=b.coordinator)
    client.force_login(b.coordinator)
    page = client.get(f"/responses/{response.pk}/vote/")
    assert page.status_code == 200
    assert mine.text.encode() not in page.content.split(b'id="vote-card"')[1].split(b"</div>")[0]
    assert b"You have voted on every statement so far" in page.content


def test_the_api_next_route_does_not_offer_my_own_statement(boundary):
    b = boundary
    response = b.open_response()
    b.statement(response, "The author's own view.", by=b.coordinator)
    other = b.statement(response, "A member's view.", by=b.members[0])
    services.statement_moderate(statement=other, actor=b.coordinator, decision="accept", reason="")
    api = ApiClient(b.coordinator)
    for _ in range(5):
        body = api.get(f"/deliberation/responses/{response.pk}/next").json()
        assert body["statement"]["id"] == other.pk and body["remaining"] == 1
