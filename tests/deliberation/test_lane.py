"""The vote lane (a WSGI layer in front of Django) answers plain token votes in one statement,
exactly as the full API route would, and hands everything else to the route unchanged.

Requests go through `convene.wsgi.application`, the object gunicorn serves, so both the lane and
the hand-over to Django's real handler are exercised.
"""

from __future__ import annotations

import io
import json

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from convene.accounts.services import api_token_create, api_token_revoke
from convene.communities.models import Contribution
from convene.deliberation import selectors, services
from convene.deliberation.models import JointResponse, Participant, Phase, Statement, Vote

from ..conftest import ApiClient
from .test_services import _statements

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the lane answers on PostgreSQL only; on SQLite the route does"
)


class LaneAnswer:
    def __init__(self, status: str, headers: list, body: bytes, queries: int):
        self.status_code = int(status.split()[0])
        self.headers = dict(headers)
        self.content = body
        self.queries = queries

    def json(self):
        return json.loads(self.content)


class Wsgi:
    """A token's requests through the WSGI application, counting the queries each one makes."""

    def __init__(self, user=None, secret: str | None = None):
        from convene.wsgi import application

        self.app = application
        if user is not None:
            _, secret = api_token_create(user=user, name="lane tests")
        self.secret = secret

    def post(self, path: str, body, **environ) -> LaneAnswer:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        env = RequestFactory()._base_environ(
            PATH_INFO=path,
            REQUEST_METHOD="POST",
            CONTENT_TYPE="application/json",
            CONTENT_LENGTH=str(len(raw)),
            **{"wsgi.input": io.BytesIO(raw)},
            **({"HTTP_AUTHORIZATION": f"Bearer {self.secret}"} if self.secret else {}),
            **environ,
        )
        seen = {}

        def start_response(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, headers

        # As Django's test client: the test's transaction must survive the handler's connection upkeep.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            with CaptureQueriesContext(connection) as queries:
                result = self.app(env, start_response)
                body = b"".join(result)
                if hasattr(result, "close"):
                    result.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        skip = ("SAVEPOINT", "RELEASE", "BEGIN")
        real = [q for q in queries.captured_queries if not (q["sql"] or "").startswith(skip)]
        return LaneAnswer(seen["status"], seen["headers"], body, len(real))

    def vote(self, response, statement, value, **environ) -> LaneAnswer:
        statement_id = getattr(statement, "pk", statement)  # a Statement, or any JSON value
        body = {"statement": statement_id, "value": value}
        return self.post(f"/api/v1/deliberation/responses/{response.pk}/votes", body, **environ)


@pytest.fixture
def voting(boundary, settings):
    """A response in gathering, in production's mode: a map worker keeps counters and the map (a
    recompute is marked queued, so no vote runs one inline)."""
    from django.core.cache import cache

    from convene.deliberation.tasks import PENDING

    settings.CONVENE_MAP_IN_WORKER = True
    response = boundary.open_response()
    statements = _statements(boundary, response)
    cache.set(PENDING.format(response.pk), 1)
    for statement in statements:  # texts are cached per process: count only the lane's own statement
        selectors._statement_text(response.secret, statement.pk)
    yield boundary, response, statements
    cache.delete(PENDING.format(response.pk))


@on_postgres
def test_lane_answers_like_the_route_in_one_statement(voting):
    b, response, statements = voting
    revision = JointResponse.objects.get(pk=response.pk).revision
    member = Wsgi(b.members[6])  # social work: votes for an invited community
    first = member.vote(response, statements[0], 1)  # creates the participant: the route
    second = member.vote(response, statements[1], "disagree")  # the lane; loads this process's pool
    third = member.vote(response, statements[2], 0)
    assert first.status_code == second.status_code == third.status_code == 200
    assert first.queries > 10 and third.queries == 1, (first.queries, third.queries)
    assert set(first.json()) == set(third.json()) == {"statement", "value", "next"}
    assert second.json()["statement"] == statements[1].pk and second.json()["value"] == -1
    nxt = third.json()["next"]
    assert set(nxt) == {"statement", "remaining"} and nxt["remaining"] == len(statements) - 3
    assert nxt["statement"]["id"] not in {s.pk for s in statements[:3]}
    assert nxt["statement"]["text"] == Statement.objects.get(pk=nxt["statement"]["id"]).text

    participant = Participant.objects.get(response=response, user=b.members[6])
    assert participant.community == b.sw
    assert dict(Vote.objects.filter(participant=participant).values_list("statement_id", "value")) == {
        statements[0].pk: 1,
        statements[1].pk: -1,
        statements[2].pk: 0,
    }
    ledger = Contribution.objects.filter(user=b.members[6], kind="vote", context=response.context)
    assert ledger.count() == 3 and set(ledger.values_list("community_id", flat=True)) == {b.sw.pk}
    # Counters and the revision are the map worker's: the vote touched no shared row.
    assert JointResponse.objects.get(pk=response.pk).revision == revision
    assert Statement.objects.get(pk=statements[1].pk).n_disagree == 0


@on_postgres
def test_same_vote_twice_is_harmless_and_a_change_is_written_once(voting):
    b, response, statements = voting
    member = Wsgi(b.members[0])
    member.vote(response, statements[0], 0)
    for _ in range(2):
        answer = member.vote(response, statements[1], 1)
        assert answer.status_code == 200 and answer.json()["next"]["remaining"] == len(statements) - 2
    answer = member.vote(response, statements[1], -1)
    assert answer.status_code == 200 and answer.queries == 1
    assert Vote.objects.get(participant__user=b.members[0], statement=statements[1]).value == -1
    assert Contribution.objects.filter(user=b.members[0], kind="vote").count() == 2  # a change is no new voice


@on_postgres
def test_token_use_is_recorded_at_most_once_a_minute(voting):
    from convene.accounts.models import ApiToken

    b, response, statements = voting
    member = Wsgi(b.members[1])
    member.vote(response, statements[0], 1)
    token = ApiToken.objects.get(user=b.members[1], revoked_at__isnull=True)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=None)
    member.vote(response, statements[1], 1)
    touched = ApiToken.objects.get(pk=token.pk).last_used_at
    assert touched is not None
    member.vote(response, statements[2], 1)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == touched


def test_lane_hands_every_other_case_to_the_route(voting):
    """Refusals come from the route, with the body the lane read handed on intact."""
    b, response, statements = voting
    member = Wsgi(b.members[1])
    assert member.vote(response, statements[0], 1).status_code == 200  # now a participant

    assert Wsgi(secret="cvn_not-a-real-token").vote(response, statements[1], 1).status_code == 401
    assert Wsgi(b.guest).vote(response, statements[1], 1).status_code == 403
    assert Wsgi(b.outsider).vote(response, statements[1], 1).status_code in (403, 404)

    for statement, value, status in [(statements[1].pk, 2, 400), (10**9, 1, 400), ("x", 1, 422)]:
        answer = member.vote(response, statement, value)
        assert answer.status_code == status, (statement, value, answer.content)
        assert set(answer.json()) >= {"detail", "code"}
    assert member.post(f"/api/v1/deliberation/responses/{response.pk}/votes", b"{not json").status_code == 400
    rejected = statements[2]
    services.statement_moderate(statement=rejected, actor=b.coordinator, decision="reject", reason="Off topic")
    answer = member.vote(response, rejected, 1)
    assert answer.status_code == 409 and answer.json()["code"] == "not_votable"

    token = b.members[1].api_tokens.get(revoked_at__isnull=True)
    api_token_revoke(user=b.members[1], token_id=token.pk)
    assert member.vote(response, statements[3], 1).status_code == 401  # revoked: stops at once

    other = Wsgi(b.members[2])
    other.vote(response, statements[0], 1)
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    answer = other.vote(response, statements[3], 1)
    assert answer.status_code == 409 and answer.json()["code"] == "voting_closed"
    assert not Vote.objects.filter(statement=statements[3]).exists()


def test_hosts_and_plain_http_get_django_own_answers(voting, settings):
    b, response, statements = voting
    member = Wsgi(b.members[3])
    member.vote(response, statements[0], 1)
    answer = member.vote(response, statements[1], 1, HTTP_HOST="evil.example")
    assert answer.status_code == 400, (answer.status_code, answer.content[:300])
    from django.core.handlers.wsgi import WSGIHandler

    from convene.deliberation.lane import VoteLane

    settings.SECURE_SSL_REDIRECT = True
    member.app = VoteLane(WSGIHandler())  # SecurityMiddleware reads the setting when it is built
    answer = member.vote(response, statements[1], 1)
    assert answer.status_code == 301 and answer.headers["Location"].startswith("https://")
    assert not Vote.objects.filter(statement=statements[1]).exists()


def test_without_a_map_worker_the_route_keeps_the_counters(voting, settings):
    b, response, statements = voting
    settings.CONVENE_MAP_IN_WORKER = False
    member = Wsgi(b.members[4])
    member.vote(response, statements[0], 1)
    answer = member.vote(response, statements[1], -1)
    assert answer.status_code == 200 and answer.queries > 1
    assert Statement.objects.get(pk=statements[1].pk).n_disagree == 1


@on_postgres
def test_lane_keeps_anonymous_responses_anonymous(boundary, settings):
    from django.core.cache import cache

    from convene.deliberation.tasks import PENDING

    settings.CONVENE_MAP_IN_WORKER = True
    response = boundary.open_response(anonymous=True)
    statements = _statements(boundary, response)
    cache.set(PENDING.format(response.pk), 1)
    member = Wsgi(boundary.members[3])
    member.vote(response, statements[0], 1)  # the route creates the participant by keyed hash
    member.vote(response, statements[1], 1)  # the lane learns this token's key for the response
    for statement in statements:
        selectors._statement_text(response.secret, statement.pk)
    answer = member.vote(response, statements[2], 1)
    assert answer.status_code == 200 and answer.queries == 1
    participants = Participant.objects.filter(response=response)
    assert participants.filter(user__isnull=False).count() == 0
    assert Vote.objects.filter(response=response, participant__in=participants).count() == 3
    assert not Contribution.objects.filter(context=response.context).exists()
    body = answer.json()  # nothing in the answer says who voted
    assert set(body) == {"statement", "value", "next"} and set(body["next"]) == {"statement", "remaining"}
    assert set(body["next"]["statement"]) == {"id", "text"}
    cache.delete(PENDING.format(response.pk))


@on_postgres
def test_lane_answer_carries_the_same_headers_as_the_route(voting):
    b, response, statements = voting
    member = Wsgi(b.members[5])
    route = member.vote(response, statements[0], 1)
    ignore = {"Content-Length", "Vary", "Cookie", "Set-Cookie"}
    route_headers = {k: v for k, v in route.headers.items() if k not in ignore}
    for statement in statements[1:3]:  # the lane's first answer computes them, later ones reuse them
        lane = member.vote(response, statement, 1)
        assert lane.queries <= 4  # the first may load the pool: proof that the lane answered
        assert {k: v for k, v in lane.headers.items() if k not in ignore} == route_headers
        assert lane.headers["Content-Length"] == str(len(lane.content))


@pytest.mark.parametrize("small_pool", [64, 0], ids=["whole-pool", "rejection"])
def test_drawn_next_statement_skips_what_was_voted_and_ends_when_all_are(voting, small_pool, monkeypatch):
    """The lane's draw from the cached pool never offers a statement voted on, counts what is
    left, and says so when nothing is (on SQLite it is the full read, which must agree). A small
    pool is asked about whole, so its draw takes one query whatever the luck of the draw."""
    monkeypatch.setattr(selectors, "SMALL_POOL", small_pool)
    b, response, statements = voting
    member = Wsgi(b.members[8])
    member.vote(response, statements[0], 1)
    participant = Participant.objects.get(response=response, user=b.members[8])
    voted = {statements[0].pk}
    for statement in statements[1:]:
        seen = set()
        for seed in range(20):
            with CaptureQueriesContext(connection) as queries:
                picked, remaining = selectors.next_statement_drawn(
                    response.pk, participant.pk, response_key=response.secret, revision=response.revision, rng=seed
                )
            if small_pool and connection.vendor == "postgresql" and seed:  # seed 0 may load the pool
                assert len(queries) == 1
            assert picked is not None and picked[0] not in voted
            assert remaining == len(statements) - len(voted)
            seen.add(picked[0])
        assert seen <= {s.pk for s in statements} - voted
        assert member.vote(response, statement, 0).status_code == 200
        voted.add(statement.pk)
    picked, remaining = selectors.next_statement_drawn(
        response.pk, participant.pk, response_key=response.secret, revision=response.revision
    )
    assert (picked, remaining) == (None, 0)


@on_postgres
def test_lane_counts_each_vote_once_against_the_api_write_limit(voting, settings):
    from django.core.cache import cache

    b, response, statements = voting
    cache.clear()
    settings.CONVENE_API_WRITES_PER_MINUTE = 3
    member = Wsgi(b.members[9])
    answers = [member.vote(response, s, 1) for s in statements[:5]]  # the route first (counted by the lane)
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert int(answers[3].headers["Retry-After"]) >= 1 and answers[3].json()["code"] == "rate_limited"
    assert Vote.objects.filter(participant__user=b.members[9]).count() == 3
    # A full-route API write by the same token still counts against the same limit.
    route = ApiClient()
    route.headers = {"HTTP_AUTHORIZATION": f"Bearer {member.secret}"}
    assert route.post(f"/deliberation/responses/{response.pk}/votes", {}).status_code == 429
    cache.clear()
