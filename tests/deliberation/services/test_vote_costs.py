"""What one API vote costs the database (issue 16.4): the number of queries is pinned so that a
change that adds a read to the vote route shows here. Timing is measured in bench/, not here.

Production settings for the vote path: the map worker keeps the counters (a vote touches no shared
row) and the shared cache holds the token lookup, the rank, the participant and the pool.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from convene.communities.models import Membership, Role
from convene.deliberation import services
from convene.deliberation.models import Vote

from ...conftest import ApiClient


@pytest.fixture
def in_worker(settings):
    settings.CONVENE_MAP_IN_WORKER = True


def _vote(client, response, statement, value=1):
    return client.post(f"/deliberation/responses/{response.pk}/votes", {"statement": statement.pk, "value": value})


def test_a_steady_vote_makes_these_queries_and_no_more(boundary, in_worker, django_capture_on_commit_callbacks):
    b = boundary
    response = b.open_response()
    # 30 statements, 3 voted on: the next statement is among the texts the done-ids query reads
    # (the chance that all CANDIDATES draws fall on the three is below one in a billion)
    statements = [b.statement(response, f"Statement number {i}.") for i in range(30)]
    client = ApiClient(b.members[0])
    with django_capture_on_commit_callbacks(execute=True):  # (the participant is cached once committed)
        assert _vote(client, response, statements[0]).status_code == 200
    assert _vote(client, response, statements[2]).status_code == 200  # the pool of the map's new revision
    with CaptureQueriesContext(connection) as queries:
        answer = _vote(client, response, statements[1])
    assert answer.status_code == 200, answer.content
    sql = [q["sql"] for q in queries.captured_queries]
    # The response row with its phase and revision (response_for_voting); the vote and its ledger
    # row, in one statement on PostgreSQL (in a transaction of two INSERTs on SQLite, which cannot
    # INSERT inside WITH); in one query the voter's done statements and the candidates' texts
    # (next_statement). The token, rank, participant and pool come from the cache.
    expected = 3 if connection.vendor == "postgresql" else 6  # (SAVEPOINT, 2 INSERTs, RELEASE)
    assert len(sql) == expected, "\n".join(sql)
    assert sum("deliberation_jointresponse" in s for s in sql) == 1
    inserts = [s for s in sql if "INSERT INTO deliberation_vote" in s]
    assert len(inserts) == 1
    assert sum("INSERT INTO communities_contribution" in s for s in sql) == 1
    assert sum("FROM deliberation_statement" in s for s in sql) == 1  # the done ids and texts together
    assert not any(
        "accounts_apitoken" in s or "communities_membership" in s or "deliberation_participant" in s for s in sql
    )


def test_the_cached_facts_follow_changes(boundary, in_worker):
    b = boundary
    response = b.open_response()
    s1, s2, s3 = (b.statement(response, f"Statement {i} here.") for i in range(3))
    client = ApiClient(b.members[0])
    assert _vote(client, response, s1).status_code == 200
    # a member made a guest may no longer vote, at once
    membership = Membership.objects.get(community=b.psy, user=b.members[0])
    membership.role = Role.GUEST
    membership.save()
    assert _vote(client, response, s2).status_code == 403
    membership.role = Role.MEMBER
    membership.save()
    assert _vote(client, response, s2).status_code == 200
    # a statement rejected since the pool was read is refused with its reason
    services.statement_moderate(statement=s3, actor=b.coordinator, decision="reject", reason="Off topic")
    refused = _vote(client, response, s3)
    assert refused.status_code == 409 and "rejected" in refused.json()["detail"]
    # an invited community dropped: its members no longer take part
    outsider = ApiClient(b.members[6])  # social work
    assert _vote(outsider, response, s1).status_code == 200
    response.communities.remove(b.sw)
    assert _vote(outsider, response, s2).status_code in (403, 404)
    assert Vote.objects.filter(response=response).count() == 3


def test_a_revoked_token_or_deactivated_user_is_refused_at_once(boundary, in_worker):
    from convene.accounts import services as accounts

    b = boundary
    response = b.open_response()
    s1, s2 = (b.statement(response, f"Statement {i} here.") for i in range(2))
    token, secret = accounts.api_token_create(user=b.members[1], name="t")
    client = ApiClient()
    client.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert _vote(client, response, s1).status_code == 200  # the lookup is cached now
    accounts.api_token_revoke(user=b.members[1], token_id=token.pk)
    assert _vote(client, response, s2).status_code == 401

    other = ApiClient(b.members[2])
    assert _vote(other, response, s1).status_code == 200
    b.members[2].is_active = False
    b.members[2].save()
    assert _vote(other, response, s2).status_code == 401

    third = ApiClient(b.members[3])
    assert _vote(third, response, s1).status_code == 200
    accounts.api_tokens_revoke_all(user=b.members[3], reason="test")
    assert _vote(third, response, s2).status_code == 401
