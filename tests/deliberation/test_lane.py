"""The vote lane (an ASGI layer in front of Django) answers plain token votes in batches, exactly
as the full API route would, and hands everything else to the route unchanged.

Requests go through `convene.asgi.build()`, the application production serves (the lane in
front of Django's handler in a thread pool), on one event loop per test, so both the lane and
the hand-over to Django's real handler are exercised. The lane writes on its own connection, so
these tests commit (`transactional_db`).
"""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from convene.accounts.services import api_token_create, api_token_revoke
from convene.communities.models import Contribution
from convene.deliberation import selectors, services
from convene.deliberation.models import JointResponse, Participant, Phase, Statement, Vote

from ..conftest import ApiClient
from .conftest import build_boundary
from .test_services import _statements

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the lane answers on PostgreSQL only; on SQLite the route does"
)
THREADS = 4


class Answer:
    def __init__(self, status: int, headers: list, body: bytes, lane: bool, statements: int, threads: int):
        self.status_code = status
        self.headers = {k.decode("latin-1").title(): v.decode("latin-1") for k, v in headers}
        self.content = body
        self.lane = lane  # answered without Django's handler
        self.statements = statements  # the lane's batch statements this request took part in
        self.threads = threads  # the lane's reads through Django (pool, texts, map request)

    def json(self):
        return json.loads(self.content)


class Server:
    """The ASGI application on one event loop, counting what each request costs."""

    def __init__(self, handler=None):
        from convene import asgi

        handler = handler or asgi.django_application
        self.django_calls = 0

        def django(environ, start_response):
            self.django_calls += 1
            return handler(environ, start_response)

        self.app = asgi.build(threads=THREADS, handler=django)
        self.loop = asyncio.new_event_loop()
        self.thread_calls = 0
        original = self.app.in_thread

        async def counted(*args, **kwargs):
            self.thread_calls += 1
            return await original(*args, **kwargs)

        self.app.in_thread = counted

    def request(self, path: str, body: bytes, headers: dict, *, host="127.0.0.1:8000") -> Answer:
        return self.loop.run_until_complete(self.send(path, body, headers, host=host))

    async def send(self, path: str, body: bytes, headers: dict, *, host="127.0.0.1:8000") -> Answer:
        raw = [(b"host", host.encode()), (b"content-length", str(len(body)).encode())]
        raw += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": raw,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
        }
        messages = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive():
            if messages:
                return messages.pop(0)
            await asyncio.sleep(3600)  # the client stays connected

        seen = {"body": b""}

        async def send(message):
            if message["type"] == "http.response.start":
                seen["status"], seen["headers"] = message["status"], message["headers"]
            else:
                seen["body"] += message.get("body", b"")

        before = (self.django_calls, self.app.box.batches, self.thread_calls)
        await self.app(scope, receive, send)
        lane_answered = self.django_calls == before[0]
        return Answer(
            seen["status"],
            seen["headers"],
            seen["body"],
            lane_answered,
            self.app.box.batches - before[1],
            self.thread_calls - before[2],
        )

    def close(self) -> None:
        self.loop.run_until_complete(self.app.box.close())
        self.loop.run_until_complete(self.loop.shutdown_default_executor())
        self.loop.close()
        _close_connections_in(self.app.executor, THREADS)


def _close_connections_in(executor, threads: int) -> None:
    """Close the Django connections the pool's threads opened (one task in each thread), so the
    test database can be dropped at the end of the run."""
    barrier = threading.Barrier(threads)

    def close():
        connections.close_all()
        barrier.wait(timeout=10)

    for future in [executor.submit(close) for _ in range(threads)]:
        future.result(timeout=20)
    executor.shutdown(wait=True)


class Voter:
    def __init__(self, server: Server, user=None, secret: str | None = None):
        self.server = server
        if user is not None:
            _, secret = api_token_create(user=user, name="lane tests")
        self.secret = secret

    def post(self, path: str, body, **options) -> Answer:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"content-type": "application/json"}
        if self.secret:
            headers["authorization"] = f"Bearer {self.secret}"
        return self.server.request(path, raw, headers, **options)

    def vote(self, response, statement, value, **options) -> Answer:
        statement_id = getattr(statement, "pk", statement)  # a Statement, or any JSON value
        body = {"statement": statement_id, "value": value}
        return self.post(f"/api/v1/deliberation/responses/{response.pk}/votes", body, **options)


@pytest.fixture
def server():
    served = Server()
    yield served
    served.close()


@pytest.fixture
def voting(transactional_db, settings, server, monkeypatch):
    """A response in gathering, committed, in production's mode: a map worker keeps counters and
    the map (a recompute is marked queued, so no vote runs one inline). The lane's requests for a
    map, at most one per SEEN_FOR, are left out here so every count below is deterministic; they
    have a test of their own."""
    from django.core.cache import cache

    from convene.deliberation import tasks
    from convene.deliberation.tasks import PENDING

    settings.CONVENE_MAP_IN_WORKER = True
    monkeypatch.setattr(tasks, "map_request_due", lambda response_id: False)
    b = build_boundary()
    response = b.open_response()
    statements = _statements(b, response)
    cache.set(PENDING.format(response.pk), 1)
    yield b, response, statements
    cache.delete(PENDING.format(response.pk))


@on_postgres
def test_lane_answers_like_the_route_in_one_statement(voting, server):
    b, response, statements = voting
    revision = JointResponse.objects.get(pk=response.pk).revision
    member = Voter(server, b.members[6])  # social work: votes for an invited community
    first = member.vote(response, statements[0], 1)  # creates the participant: the route
    second = member.vote(response, statements[1], "disagree")  # the lane; loads this process's pool
    third = member.vote(response, statements[2], 0)
    assert first.status_code == second.status_code == third.status_code == 200
    assert not first.lane and second.lane and third.lane
    assert (third.statements, third.threads) == (1, 0), "a warm vote is one statement and nothing else"
    assert set(first.json()) == set(third.json()) == {"statement", "value", "next"}
    assert second.json()["statement"] == statements[1].pk and second.json()["value"] == -1
    nxt = third.json()["next"]
    assert set(nxt) == {"statement", "remaining"} and nxt["remaining"] == len(statements) - 3
    assert nxt["statement"]["id"] not in {s.pk for s in statements[:3]}
    assert nxt["statement"]["text"] == Statement.objects.get(pk=nxt["statement"]["id"]).text

    participant = Participant.objects.get(response=response, user=b.members[6])
    assert participant.community == b.sw
    assert participant.n_votes == 3  # the database's own count, which `remaining` is read from
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
def test_votes_that_arrive_together_share_one_statement_and_one_commit(voting, server):
    b, response, statements = voting
    voters = [Voter(server, user) for user in b.members]
    for voter in voters:
        assert voter.vote(response, statements[0], 1).status_code == 200  # the route: participants
    before = server.app.box.batches

    async def together():
        path = f"/api/v1/deliberation/responses/{response.pk}/votes"
        sends = []
        for n, voter in enumerate(voters):
            body = json.dumps({"statement": statements[1 + n % 3].pk, "value": -1}).encode()
            headers = {"content-type": "application/json", "authorization": f"Bearer {voter.secret}"}
            sends.append(server.send(path, body, headers))
        return await asyncio.gather(*sends)

    answers = server.loop.run_until_complete(together())
    assert all(a.status_code == 200 and a.lane for a in answers)
    assert server.app.box.batches - before == 1, "ten votes in flight at once went in one batch"
    for n, (voter, answer) in enumerate(zip(b.members, answers, strict=True)):
        statement = statements[1 + n % 3]
        assert answer.json()["statement"] == statement.pk
        assert answer.json()["next"]["remaining"] == len(statements) - 2
        assert answer.json()["next"]["statement"]["id"] not in {statements[0].pk, statement.pk}
        assert Vote.objects.get(participant__user=voter, statement=statement).value == -1
    assert Contribution.objects.filter(kind="vote", context=response.context).count() == 20


@on_postgres
def test_a_second_vote_of_a_token_on_the_same_statement_waits_for_the_next_batch(voting, server):
    b, response, statements = voting
    member = Voter(server, b.members[0])
    member.vote(response, statements[0], 1)
    path = f"/api/v1/deliberation/responses/{response.pk}/votes"
    headers = {"content-type": "application/json", "authorization": f"Bearer {member.secret}"}
    before = server.app.box.batches

    async def double_submit():
        bodies = [json.dumps({"statement": statements[1].pk, "value": v}).encode() for v in (1, -1)]
        return await asyncio.gather(*(server.send(path, body, headers) for body in bodies))

    first, second = server.loop.run_until_complete(double_submit())
    assert first.status_code == second.status_code == 200 and first.lane and second.lane
    assert server.app.box.batches - before == 2  # one statement cannot write the same row twice
    assert Vote.objects.get(participant__user=b.members[0], statement=statements[1]).value == -1  # the later one
    assert Participant.objects.get(user=b.members[0], response=response).n_votes == 2


@on_postgres
def test_a_written_vote_asks_the_worker_for_a_map_at_most_once_in_a_while(voting, server, monkeypatch):
    from convene.deliberation import tasks

    b, response, statements = voting
    member = Voter(server, b.members[2])
    member.vote(response, statements[0], 1)
    member.vote(response, statements[1], 1)
    asked = []
    monkeypatch.setattr(tasks, "request_map", asked.append)
    monkeypatch.setattr(tasks, "map_request_due", lambda response_id: response_id not in asked)
    first = member.vote(response, statements[2], 1)
    assert first.lane and first.threads == 1 and asked == [response.pk]  # in a thread: it may enqueue a task
    assert member.vote(response, statements[3], 1).threads == 0  # not due again yet
    assert member.vote(response, statements[3], 1).threads == 0  # nothing written: nothing to map
    assert asked == [response.pk]
    # The pacing itself: not due within SEEN_FOR of the last request for the response.
    monkeypatch.undo()
    tasks._seen[response.pk] = tasks.time.monotonic()
    assert not tasks.map_request_due(response.pk)
    tasks._seen[response.pk] -= tasks.SEEN_FOR
    assert tasks.map_request_due(response.pk)


@on_postgres
def test_same_vote_twice_is_harmless_and_a_change_is_written_once(voting, server):
    b, response, statements = voting
    member = Voter(server, b.members[0])
    member.vote(response, statements[0], 0)
    for _ in range(2):
        answer = member.vote(response, statements[1], 1)
        assert answer.status_code == 200 and answer.json()["next"]["remaining"] == len(statements) - 2
    answer = member.vote(response, statements[1], -1)
    assert answer.status_code == 200 and answer.lane and answer.statements == 1
    assert Vote.objects.get(participant__user=b.members[0], statement=statements[1]).value == -1
    assert Contribution.objects.filter(user=b.members[0], kind="vote").count() == 2  # a change is no new voice
    assert Participant.objects.get(user=b.members[0], response=response).n_votes == 2


@on_postgres
def test_token_use_is_recorded_at_most_once_a_minute(voting, server):
    from convene.accounts.models import ApiToken

    b, response, statements = voting
    member = Voter(server, b.members[1])
    member.vote(response, statements[0], 1)
    token = ApiToken.objects.get(user=b.members[1], revoked_at__isnull=True)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=None)
    assert member.vote(response, statements[1], 1).lane
    touched = ApiToken.objects.get(pk=token.pk).last_used_at
    assert touched is not None
    member.vote(response, statements[2], 1)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == touched


def test_lane_hands_every_other_case_to_the_route(voting, server):
    """Refusals come from the route, with the body the lane read handed on intact."""
    b, response, statements = voting
    member = Voter(server, b.members[1])
    assert member.vote(response, statements[0], 1).status_code == 200  # now a participant

    assert Voter(server, secret="cvn_not-a-real-token").vote(response, statements[1], 1).status_code == 401
    assert Voter(server, b.guest).vote(response, statements[1], 1).status_code == 403
    assert Voter(server, b.outsider).vote(response, statements[1], 1).status_code in (403, 404)

    for statement, value, status in [(statements[1].pk, 2, 400), (10**9, 1, 400), ("x", 1, 422)]:
        answer = member.vote(response, statement, value)
        assert answer.status_code == status, (statement, value, answer.content)
        assert set(answer.json()) >= {"detail", "code"} and not answer.lane
    assert member.post(f"/api/v1/deliberation/responses/{response.pk}/votes", b"{not json").status_code == 400
    rejected = statements[2]
    services.statement_moderate(statement=rejected, actor=b.coordinator, decision="reject", reason="Off topic")
    answer = member.vote(response, rejected, 1)
    assert answer.status_code == 409 and answer.json()["code"] == "not_votable"

    token = b.members[1].api_tokens.get(revoked_at__isnull=True)
    api_token_revoke(user=b.members[1], token_id=token.pk)
    assert member.vote(response, statements[3], 1).status_code == 401  # revoked: stops at once

    other = Voter(server, b.members[2])
    other.vote(response, statements[0], 1)
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    answer = other.vote(response, statements[3], 1)
    assert answer.status_code == 409 and answer.json()["code"] == "voting_closed"
    assert not Vote.objects.filter(statement=statements[3]).exists()


def test_hosts_and_plain_http_get_django_own_answers(voting, server, settings):
    b, response, statements = voting
    member = Voter(server, b.members[3])
    member.vote(response, statements[0], 1)
    answer = member.vote(response, statements[1], 1, host="evil.example")
    assert answer.status_code == 400, (answer.status_code, answer.content[:300])
    assert not answer.lane

    from django.core.handlers.wsgi import WSGIHandler

    settings.SECURE_SSL_REDIRECT = True
    redirecting = Server(WSGIHandler())  # SecurityMiddleware reads the setting when it is built
    try:
        answer = Voter(redirecting, secret=member.secret).vote(response, statements[1], 1)
    finally:
        redirecting.close()
    assert answer.status_code == 301 and answer.headers["Location"].startswith("https://")
    assert not Vote.objects.filter(statement=statements[1]).exists()


def test_without_a_map_worker_the_route_keeps_the_counters(voting, server, settings):
    b, response, statements = voting
    settings.CONVENE_MAP_IN_WORKER = False
    member = Voter(server, b.members[4])
    member.vote(response, statements[0], 1)
    answer = member.vote(response, statements[1], -1)
    assert answer.status_code == 200 and not answer.lane
    assert Statement.objects.get(pk=statements[1].pk).n_disagree == 1


@on_postgres
def test_lane_keeps_anonymous_responses_anonymous(transactional_db, server, settings):
    from django.core.cache import cache

    from convene.accounts.models import ApiToken
    from convene.deliberation.tasks import PENDING

    settings.CONVENE_MAP_IN_WORKER = True
    boundary = build_boundary()
    response = boundary.open_response(anonymous=True)
    statements = _statements(boundary, response)
    cache.set(PENDING.format(response.pk), 1)
    member = Voter(server, boundary.members[3])
    member.vote(response, statements[0], 1)  # the route creates the participant by keyed hash
    learning = member.vote(response, statements[1], 1)  # the lane learns this token's key for the response
    assert learning.lane and (ApiToken.hash(member.secret), response.pk) in services._USER_KEYS
    answer = member.vote(response, statements[2], 1)
    assert answer.status_code == 200 and answer.lane and (answer.statements, answer.threads) == (1, 0)
    participants = Participant.objects.filter(response=response)
    assert participants.filter(user__isnull=False).count() == 0
    assert Vote.objects.filter(response=response, participant__in=participants).count() == 3
    assert not Contribution.objects.filter(context=response.context).exists()
    body = answer.json()  # nothing in the answer says who voted
    assert set(body) == {"statement", "value", "next"} and set(body["next"]) == {"statement", "remaining"}
    assert set(body["next"]["statement"]) == {"id", "text"}
    cache.delete(PENDING.format(response.pk))


@on_postgres
def test_lane_answer_carries_the_same_headers_as_the_route(voting, server):
    b, response, statements = voting
    member = Voter(server, b.members[5])
    route = member.vote(response, statements[0], 1)
    ignore = {"Content-Length", "Vary", "Cookie", "Set-Cookie"}
    route_headers = {k: v for k, v in route.headers.items() if k not in ignore}
    for statement in statements[1:3]:  # the lane's first answer computes them, later ones reuse them
        answer = member.vote(response, statement, 1)
        assert answer.lane
        assert {k: v for k, v in answer.headers.items() if k not in ignore} == route_headers
        assert answer.headers["Content-Length"] == str(len(answer.content))


@on_postgres
def test_a_lost_database_connection_hands_the_votes_to_the_route(voting, server):
    """The lane's connection dies (a restarted server): the batch fails, every vote in it is
    answered by the route instead, and the next batch starts on a new connection."""
    b, response, statements = voting
    member = Voter(server, b.members[7])
    member.vote(response, statements[0], 1)
    assert member.vote(response, statements[1], 1).lane
    pid = server.loop.run_until_complete(_backend_pid(server.app.box.connection))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    handed_on = member.vote(response, statements[2], -1)
    assert handed_on.status_code == 200 and not handed_on.lane
    assert handed_on.json()["statement"] == statements[2].pk
    again = member.vote(response, statements[3], 1)
    assert again.status_code == 200 and again.lane
    assert dict(Vote.objects.filter(participant__user=b.members[7]).values_list("statement_id", "value")) == {
        statements[0].pk: 1,
        statements[1].pk: 1,
        statements[2].pk: -1,
        statements[3].pk: 1,
    }


async def _backend_pid(conn) -> int:
    cursor = await conn.execute("SELECT pg_backend_pid()")
    return (await cursor.fetchone())[0]


@on_postgres
def test_a_reloaded_pool_with_the_same_statements_keeps_the_draw(voting, server):
    """The map worker moves the revision every few seconds: the votes in flight then wait for one
    reload of the pool (in a thread), not one read each."""
    b, response, statements = voting
    members = [Voter(server, user) for user in b.members[:4]]
    for member in members:
        member.vote(response, statements[0], 1)
        member.vote(response, statements[1], 1)  # the pool is loaded
    JointResponse.objects.filter(pk=response.pk).update(revision=response.revision + 5)
    path = f"/api/v1/deliberation/responses/{response.pk}/votes"
    before = server.thread_calls

    async def together():
        sends = []
        for member in members:
            body = json.dumps({"statement": statements[2].pk, "value": 0}).encode()
            headers = {"content-type": "application/json", "authorization": f"Bearer {member.secret}"}
            sends.append(server.send(path, body, headers))
        return await asyncio.gather(*sends)

    answers = server.loop.run_until_complete(together())
    assert all(a.status_code == 200 and a.lane for a in answers)
    assert server.thread_calls - before == 1, "one pool reload for the four votes"
    assert all(a.json()["next"]["remaining"] == len(statements) - 3 for a in answers)
    assert selectors._POOLS[response.pk].revision == response.revision + 5


@on_postgres
def test_lifespan_shutdown_closes_the_lane_connection(voting, server):
    b, response, statements = voting
    member = Voter(server, b.members[8])
    member.vote(response, statements[0], 1)
    member.vote(response, statements[1], 1)
    assert server.app.box.connection is not None
    messages = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent = []

    async def receive():
        return messages.pop(0)

    async def send(message):
        sent.append(message["type"])

    server.loop.run_until_complete(server.app({"type": "lifespan"}, receive, send))
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert server.app.box.connection is None


@pytest.mark.parametrize("small_pool", [64, 0], ids=["whole-pool", "rejection"])
def test_drawn_next_statement_skips_what_was_voted_and_ends_when_all_are(voting, server, small_pool, monkeypatch):
    """The lane's draw from the cached pool never offers a statement voted on, counts what is
    left, and says so when nothing is (on SQLite it is the full read, which must agree). A small
    pool is asked about whole, so its draw takes one query whatever the luck of the draw."""
    monkeypatch.setattr(selectors, "SMALL_POOL", small_pool)
    b, response, statements = voting
    member = Voter(server, b.members[8])
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
def test_lane_counts_each_vote_once_against_the_api_write_limit(voting, server, settings):
    from django.core.cache import cache

    b, response, statements = voting
    cache.clear()
    settings.CONVENE_API_WRITES_PER_MINUTE = 3
    member = Voter(server, b.members[9])
    answers = [member.vote(response, s, 1) for s in statements[:5]]  # the route first (counted by the lane)
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert answers[3].lane and int(answers[3].headers["Retry-After"]) >= 1
    assert answers[3].json()["code"] == "rate_limited"
    assert Vote.objects.filter(participant__user=b.members[9]).count() == 3
    # A full-route API write by the same token still counts against the same limit.
    route = ApiClient()
    route.headers = {"HTTP_AUTHORIZATION": f"Bearer {member.secret}"}
    assert route.post(f"/deliberation/responses/{response.pk}/votes", {}).status_code == 429
    cache.clear()


def test_batch_arrays_take_only_ints_and_hex_digests():
    """The batch's arrays are written as literals: anything but ints and hex digests is refused."""
    assert services._int_array([3, -1, 0]) == "{3,-1,0}"
    assert services._hex_array(["ab12", None]) == "{ab12,NULL}"
    assert services._int_array_2d([(1, 2), (3,), ()]) == "{{1,2},{3,0},{0,0}}"
    with pytest.raises(TypeError):
        services._int_array([1, "2"])
    with pytest.raises(TypeError):
        services._int_array([True])
    with pytest.raises(ValueError):
        services._hex_array(['a"},{1'])
