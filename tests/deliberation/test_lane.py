"""The vote lane answers plain token votes in a few queries, exactly as the full API route would."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from convene.accounts.services import api_token_revoke
from convene.communities.models import Contribution
from convene.deliberation import services
from convene.deliberation.models import Participant, Phase, Statement, Vote

from ..conftest import ApiClient
from .test_services import _statements

D = "/deliberation"
LANE_QUERIES = 8  # ballot, vote insert, ledger row, counters, revision, next statement (+ text); the route needs ~20


def _vote(client, response, statement, value):
    with CaptureQueriesContext(connection) as queries:
        answer = client.post(f"{D}/responses/{response.pk}/votes", {"statement": statement.pk, "value": value})
    skip = ("SAVEPOINT", "RELEASE", "BEGIN")
    real = [q for q in queries.captured_queries if not (q["sql"] or "").startswith(skip)]  # None: a prepared statement
    return answer, len(real)


@pytest.fixture
def voting(boundary):
    response = boundary.open_response()
    statements = _statements(boundary, response)
    return boundary, response, statements


def test_lane_answers_like_the_route_in_a_few_queries(voting):
    b, response, statements = voting
    member = ApiClient(b.members[6])  # social work: votes for an invited community
    first, route_queries = _vote(member, response, statements[0], 1)  # creates the participant: full route
    second, lane_queries = _vote(member, response, statements[1], "disagree")
    assert first.status_code == second.status_code == 200
    assert route_queries > LANE_QUERIES >= lane_queries, (route_queries, lane_queries)
    assert set(first.json()) == set(second.json()) == {"statement", "value", "next"}
    assert second.json()["statement"] == statements[1].pk and second.json()["value"] == -1
    assert set(second.json()["next"]) == {"statement", "remaining"}
    nxt = second.json()["next"]
    assert nxt["remaining"] == len(statements) - 2
    assert nxt["statement"]["id"] not in (statements[0].pk, statements[1].pk)
    assert nxt["statement"]["text"] == Statement.objects.get(pk=nxt["statement"]["id"]).text

    participant = Participant.objects.get(response=response, user=b.members[6])
    assert participant.community == b.sw
    assert dict(Vote.objects.filter(participant=participant).values_list("statement_id", "value")) == {
        statements[0].pk: 1,
        statements[1].pk: -1,
    }
    ledger = Contribution.objects.filter(user=b.members[6], kind="vote", context=response.context)
    assert ledger.count() == 2 and set(ledger.values_list("community_id", flat=True)) == {b.sw.pk}
    counted = Statement.objects.get(pk=statements[1].pk)
    assert (counted.n_agree, counted.n_disagree) == (0, 1)  # no map worker in tests: counters kept in step


def test_same_vote_twice_is_harmless_and_a_change_moves_the_counters(voting):
    b, response, statements = voting
    member = ApiClient(b.members[0])
    _vote(member, response, statements[0], 0)
    for _ in range(2):
        answer, queries = _vote(member, response, statements[1], 1)
        assert answer.status_code == 200 and queries <= LANE_QUERIES
    revision = response.__class__.objects.get(pk=response.pk).revision
    answer, _ = _vote(member, response, statements[1], -1)
    assert answer.status_code == 200
    s = Statement.objects.get(pk=statements[1].pk)
    assert (s.n_agree, s.n_disagree, s.n_pass) == (0, 1, 0)
    assert Vote.objects.get(participant__user=b.members[0], statement=statements[1]).value == -1
    assert Contribution.objects.filter(user=b.members[0], kind="vote").count() == 2  # a change is no new voice
    assert response.__class__.objects.get(pk=response.pk).revision == revision + 1


def test_lane_hands_every_other_case_to_the_route(voting):
    b, response, statements = voting
    member = ApiClient(b.members[1])
    _vote(member, response, statements[0], 1)  # now a participant: the lane would take plain votes
    path = f"{D}/responses/{response.pk}/votes"

    # Not a token the lane knows, a guest, an outsider: the route's refusals.
    bad = ApiClient()
    bad.headers = {"HTTP_AUTHORIZATION": "Bearer cvn_not-a-real-token"}
    assert bad.post(path, {"statement": statements[1].pk, "value": 1}).status_code == 401
    assert ApiClient(b.guest).post(path, {"statement": statements[1].pk, "value": 1}).status_code == 403
    assert ApiClient(b.outsider).post(path, {"statement": statements[1].pk, "value": 1}).status_code in (403, 404)

    # Values and statements the lane does not accept.
    for body, status in [
        ({"statement": statements[1].pk, "value": 2}, 400),
        ({"statement": 10**9, "value": 1}, 400),
        ({"statement": "x", "value": 1}, 422),
    ]:
        answer = member.post(path, body)
        assert answer.status_code == status, (body, answer.content)
        assert set(answer.json()) >= {"detail", "code"}
    rejected = statements[2]
    services.statement_moderate(statement=rejected, actor=b.coordinator, decision="reject", reason="Off topic")
    answer = member.post(path, {"statement": rejected.pk, "value": 1})
    assert answer.status_code == 409 and answer.json()["code"] == "not_votable"

    # A revoked token stops working at once, lane or not.
    token = b.members[1].api_tokens.get(revoked_at__isnull=True)
    api_token_revoke(user=b.members[1], token_id=token.pk)
    assert member.post(path, {"statement": statements[3].pk, "value": 1}).status_code == 401

    # Voting closed: the route says why.
    other = ApiClient(b.members[2])
    _vote(other, response, statements[0], 1)
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    answer = other.post(path, {"statement": statements[3].pk, "value": 1})
    assert answer.status_code == 409 and answer.json()["code"] == "voting_closed"
    assert not Vote.objects.filter(statement=statements[3]).exists()


def test_lane_keeps_anonymous_responses_anonymous(boundary):
    response = boundary.open_response(anonymous=True)
    statements = _statements(boundary, response)
    member = ApiClient(boundary.members[3])
    _vote(member, response, statements[0], 1)
    answer, queries = _vote(member, response, statements[1], 1)
    assert answer.status_code == 200 and queries <= LANE_QUERIES + 1  # + the participant by keyed hash
    participants = Participant.objects.filter(response=response)
    assert participants.filter(user__isnull=False).count() == 0
    assert Vote.objects.filter(response=response, participant__in=participants).count() >= 2
    assert not Contribution.objects.filter(context=response.context).exists()
    body = answer.json()  # nothing in the answer says who voted
    assert set(body) == {"statement", "value", "next"} and set(body["next"]) == {"statement", "remaining"}
    assert set(body["next"]["statement"]) == {"id", "text"}


def test_lane_answer_carries_the_same_security_headers_as_the_route(voting):
    b, response, statements = voting
    member = ApiClient(b.members[4])
    route, _ = _vote(member, response, statements[0], 1)
    ignore = {"Content-Length", "Vary", "Cookie", "Set-Cookie"}
    route_headers = {k: v for k, v in route.headers.items() if k not in ignore}
    for statement in statements[1:3]:  # the lane's first answer runs the hooks, later ones copy them
        lane, queries = _vote(member, response, statement, 1)
        assert queries <= LANE_QUERIES
        assert {k: v for k, v in lane.headers.items() if k not in ignore} == route_headers
        assert lane["Content-Length"] == str(len(lane.content))


def test_lane_with_a_map_worker_touches_no_shared_row(voting, settings):
    from django.core.cache import cache

    from convene.deliberation.models import JointResponse
    from convene.deliberation.tasks import PENDING

    b, response, statements = voting
    member = ApiClient(b.members[7])
    _vote(member, response, statements[0], 1)
    settings.CONVENE_MAP_IN_WORKER = True
    cache.set(PENDING.format(response.pk), 1)  # a recompute is queued already
    try:
        revision = JointResponse.objects.get(pk=response.pk).revision
        _vote(member, response, statements[2], 1)  # loads the next-statement pool of this revision
        answer, queries = _vote(member, response, statements[1], -1)
        assert answer.status_code == 200
        # Ballot, vote with its ledger row (one statement on PostgreSQL), which of the drawn
        # statements were voted on, the text of the chosen one.
        assert queries <= (4 if connection.vendor == "postgresql" else 5)
        assert answer.json()["next"]["remaining"] == len(statements) - 3
        assert Vote.objects.get(participant__user=b.members[7], statement=statements[1]).value == -1
        assert Contribution.objects.filter(user=b.members[7], kind="vote").count() == 3
        assert JointResponse.objects.get(pk=response.pk).revision == revision  # the worker bumps it
        assert Statement.objects.get(pk=statements[1].pk).n_disagree == 0  # the worker recounts
        answer, _ = _vote(member, response, statements[1], 0)  # a change takes the locked path
        assert answer.status_code == 200
        assert Vote.objects.get(participant__user=b.members[7], statement=statements[1]).value == 0
        assert Contribution.objects.filter(user=b.members[7], kind="vote").count() == 3
    finally:
        cache.delete(PENDING.format(response.pk))


@pytest.mark.parametrize("small_pool", [64, 0], ids=["whole-pool", "rejection"])
def test_drawn_next_statement_skips_what_was_voted_and_ends_when_all_are(voting, small_pool, monkeypatch):
    """The lane's draw from the cached pool never offers a statement voted on, counts what is
    left, and says so when nothing is (on SQLite it is the full read, which must agree). A small
    pool is asked about whole, so its draw takes one query whatever the luck of the draw."""
    from convene.deliberation import selectors

    monkeypatch.setattr(selectors, "SMALL_POOL", small_pool)
    b, response, statements = voting
    member = ApiClient(b.members[8])
    _vote(member, response, statements[0], 1)
    participant = Participant.objects.get(response=response, user=b.members[8])
    voted = {statements[0].pk}
    for statement in statements:
        selectors._statement_text(response.secret, statement.pk)
    for statement in statements[1:]:
        seen = set()
        for seed in range(20):
            with CaptureQueriesContext(connection) as queries:
                picked, remaining = selectors.next_statement_drawn(
                    response.pk, participant.pk, response_key=response.secret, revision=response.revision, rng=seed
                )
            if small_pool and connection.vendor == "postgresql" and seed:  # seed 0 loads the pool
                assert len(queries) == 1  # texts are cached below
            assert picked is not None and picked[0] not in voted
            assert remaining == len(statements) - len(voted)
            seen.add(picked[0])
        assert seen <= {s.pk for s in statements} - voted
        answer, _ = _vote(member, response, statement, 0)
        assert answer.status_code == 200
        voted.add(statement.pk)
    picked, remaining = selectors.next_statement_drawn(
        response.pk, participant.pk, response_key=response.secret, revision=response.revision
    )
    assert (picked, remaining) == (None, 0)


def test_lane_counts_votes_against_the_api_write_limit(voting, settings):
    from django.core.cache import cache

    b, response, statements = voting
    cache.clear()
    settings.CONVENE_API_WRITES_PER_MINUTE = 3
    member = ApiClient(b.members[9])
    answers = [_vote(member, response, s, 1)[0] for s in statements[:5]]  # first by the route, then the lane
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert int(answers[3]["Retry-After"]) >= 1 and answers[3].json()["code"] == "rate_limited"
    assert Vote.objects.filter(participant__user=b.members[9]).count() == 3
    cache.clear()
