"""deliberation/shared_cache.py: one read finds what each reader of the voter's facts kept."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from convene.communities.permissions import Need
from convene.deliberation import selectors, services
from convene.deliberation.permissions import VOTING_FACTS, response_for_voting, response_rank
from convene.deliberation.selectors.voting import Pool
from convene.deliberation.shared_cache import VotingFacts, voting_facts


def test_one_read_finds_the_rank_participant_and_pool_their_readers_kept(boundary, django_capture_on_commit_callbacks):
    b = boundary
    response = b.open_response()
    statement = b.statement(response, "A first statement to vote on.")
    member = b.members[0]
    assert voting_facts(response, member) == VotingFacts(rank=None, participant=None, pool=None)
    with django_capture_on_commit_callbacks(execute=True):  # (the participant is cached once committed)
        services.vote_cast(response=response, user=member, statement_id=statement.pk, value=1)
    response.refresh_from_db()
    selectors.statement_pool(response)  # each reader keeps its own entry
    rank = response_rank(member, response)
    facts = voting_facts(response, member)
    assert facts.rank == rank == Need.MEMBER
    assert facts.participant == services.participant_for(response, member, create=False)
    assert isinstance(facts.pool, Pool) and statement.pk in facts.pool.ids.tolist()
    # another person's facts are their own
    other = voting_facts(response, b.members[1])
    assert other.rank is None and other.participant is None and isinstance(other.pool, Pool)


def test_the_vote_route_takes_the_facts_and_reads_neither_memberships_nor_participants(boundary):
    b = boundary
    response = b.open_response()
    statements = [b.statement(response, f"Statement {i} for the facts.") for i in range(3)]
    member = b.members[0]
    services.vote_cast(response=response, user=member, statement_id=statements[0].pk, value=1)
    response_for_voting(member, response.pk, need=Need.MEMBER)  # caches the rank
    with CaptureQueriesContext(connection) as queries:
        loaded = response_for_voting(member, response.pk, need=Need.MEMBER)
    assert [q["sql"] for q in queries.captured_queries if "membership" in q["sql"]] == []
    assert getattr(loaded, VOTING_FACTS).rank == Need.MEMBER
    # a refusal stays a refusal: a stranger is not let in by anyone's cached facts
    with pytest.raises((Http404, PermissionDenied)):
        response_for_voting(b.outsider, response.pk, need=Need.MEMBER)
