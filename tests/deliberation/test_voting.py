"""The one vote path (`services.vote_cast`) and the one next-statement algorithm
(`selectors.next_statement`), as the API, the vote page and its htmx fragment use them.

Everything here runs on SQLite and on PostgreSQL alike (DATABASE_URL picks the database).
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from convene.accounts.models import ApiToken
from convene.accounts.services import api_token_revoke
from convene.communities.models import Contribution
from convene.core.errors import Conflict, InvalidInput
from convene.deliberation import selectors, services
from convene.deliberation.models import JointResponse, Participant, Phase, Statement, Vote

from ..conftest import ApiClient


@pytest.fixture
def voting(boundary, settings):
    """A response in gathering, in production's mode: a map worker keeps the counters and the map
    (a recompute is marked pending, so no vote runs one inline)."""
    from convene.deliberation.tasks import PENDING

    settings.CONVENE_MAP_IN_WORKER = True
    response = boundary.open_response()
    statements = boundary.statements(response)
    response.refresh_from_db()
    cache.set(PENDING.format(response.pk), 1)
    return boundary, response, statements


def _vote_path(response) -> str:
    return f"/deliberation/responses/{response.pk}/votes"


def test_api_vote_writes_the_vote_and_its_ledger_row_and_answers_the_next_statement(voting):
    b, response, statements = voting
    member = ApiClient(b.members[0])
    answer = member.post(_vote_path(response), {"statement": statements[0].pk, "value": "agree"})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["statement"] == statements[0].pk and body["value"] == 1
    assert body["next"]["remaining"] == len(statements) - 1
    assert body["next"]["statement"]["id"] in {s.pk for s in statements[1:]}
    assert Vote.objects.get(participant__user=b.members[0], statement=statements[0]).value == 1
    assert Contribution.objects.filter(user=b.members[0], kind="vote", context=response.context).count() == 1


def test_a_vote_touches_no_shared_row_with_a_map_worker(voting):
    b, response, statements = voting
    member = ApiClient(b.members[1])
    member.post(_vote_path(response), {"statement": statements[0].pk, "value": 1})  # now a participant
    revision = JointResponse.objects.get(pk=response.pk).revision
    with CaptureQueriesContext(connection) as queries:
        assert member.post(_vote_path(response), {"statement": statements[1].pk, "value": -1}).status_code == 200
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert all("deliberation_statement" not in w and "deliberation_jointresponse" not in w for w in writes), writes
    assert all("deliberation_participant" not in w for w in writes), writes
    assert Statement.objects.get(pk=statements[1].pk).n_disagree == 0  # the worker's to recount
    assert JointResponse.objects.get(pk=response.pk).revision == revision
    assert len(queries) <= 14, [q["sql"] for q in queries]  # a budget: the vote is the hot path


def test_same_vote_twice_is_harmless_and_a_change_is_written_once(voting):
    b, response, statements = voting
    member = ApiClient(b.members[2])
    member.post(_vote_path(response), {"statement": statements[0].pk, "value": 0})
    for _ in range(2):
        answer = member.post(_vote_path(response), {"statement": statements[1].pk, "value": 1})
        assert answer.status_code == 200 and answer.json()["next"]["remaining"] == len(statements) - 2
    stamp = Vote.objects.get(participant__user=b.members[2], statement=statements[1]).updated_at
    assert member.post(_vote_path(response), {"statement": statements[1].pk, "value": -1}).status_code == 200
    vote = Vote.objects.get(participant__user=b.members[2], statement=statements[1])
    assert vote.value == -1 and vote.updated_at >= stamp
    assert Contribution.objects.filter(user=b.members[2], kind="vote").count() == 2  # a change is no new voice
    participant = Participant.objects.get(user=b.members[2], response=response)
    assert not services.vote_record(response=response, participant=participant, statement_id=statements[1].pk, value=-1)


def test_without_a_map_worker_the_vote_keeps_the_counters(voting, settings):
    b, response, statements = voting
    settings.CONVENE_MAP_IN_WORKER = False
    user = b.members[3]
    services.vote_cast(response=response, user=user, statement_id=statements[0].pk, value=1)
    services.vote_cast(response=response, user=user, statement_id=statements[0].pk, value=1)
    services.vote_cast(response=response, user=user, statement_id=statements[1].pk, value=-1)
    services.vote_cast(response=response, user=user, statement_id=statements[1].pk, value=0)
    s0, s1 = Statement.objects.get(pk=statements[0].pk), Statement.objects.get(pk=statements[1].pk)
    assert (s0.n_agree, s0.n_disagree, s0.n_pass) == (1, 0, 0)
    assert (s1.n_agree, s1.n_disagree, s1.n_pass) == (0, 0, 1)


def test_page_fragment_and_api_are_one_vote_path(voting, client, monkeypatch):
    """The vote page, its htmx fragment and the API all write through `vote_cast` and read the
    next statement through `next_statement`."""
    b, response, statements = voting
    casts, reads = [], []
    original_cast, original_next = services.vote_cast, selectors.next_statement

    def cast(**kwargs):
        casts.append(int(kwargs["statement_id"]))
        return original_cast(**kwargs)

    def next_statement(*args, **kwargs):
        reads.append(args[0].pk)
        return original_next(*args, **kwargs)

    monkeypatch.setattr(services, "vote_cast", cast)
    monkeypatch.setattr(selectors, "next_statement", next_statement)
    user = b.members[4]
    client.force_login(user)
    url = reverse("deliberation:vote", args=[response.pk])
    page = client.post(url, {"statement": statements[0].pk, "value": "1"})
    assert page.status_code == 302
    fragment = client.post(url, {"statement": statements[1].pk, "value": "-1"}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and b"Vote recorded" in fragment.content
    api = ApiClient(user).post(_vote_path(response), {"statement": statements[2].pk, "value": 0})
    assert api.status_code == 200
    assert casts == [statements[0].pk, statements[1].pk, statements[2].pk]
    assert len(reads) >= 2  # the fragment's and the API's next statement
    votes = dict(Vote.objects.filter(participant__user=user).values_list("statement_id", "value"))
    assert votes == {statements[0].pk: 1, statements[1].pk: -1, statements[2].pk: 0}
    assert Contribution.objects.filter(user=user, kind="vote").count() == 3


def test_refusals_come_from_the_fetch_and_authorize_helpers_and_the_service(voting):
    b, response, statements = voting
    path = _vote_path(response)
    member = ApiClient(b.members[5])
    assert member.post(path, {"statement": statements[0].pk, "value": 1}).status_code == 200
    assert ApiClient().post(path, {"statement": statements[0].pk, "value": 1}).status_code == 401
    # a guest may not read a response unless it lets guests read it (then they may read, not vote)
    assert ApiClient(b.guest).post(path, {"statement": statements[0].pk, "value": 1}).status_code == 404
    response.guests_can_read = True
    response.save(update_fields=["guests_can_read"])
    assert ApiClient(b.guest).post(path, {"statement": statements[0].pk, "value": 1}).status_code == 403
    assert ApiClient(b.outsider).post(path, {"statement": statements[0].pk, "value": 1}).status_code in (403, 404)
    assert member.post(path, {"statement": statements[0].pk, "value": 7}).status_code == 400
    assert member.post(path, {"statement": 10**30, "value": 1}).status_code in (400, 422)  # never a 500
    missing = member.post(path, {"statement": 2**62, "value": 1})
    assert missing.status_code == 400 and missing.json()["code"] == "no_statement"
    pending = b.statement(response, "A statement from a member waits for moderation.", by=b.members[6])
    refused = member.post(path, {"statement": pending.pk, "value": 1})
    assert refused.status_code == 409 and refused.json()["code"] == "not_votable"
    revoked = ApiClient(b.members[7])
    api_token_revoke(user=b.members[7], token_id=ApiToken.objects.get(user=b.members[7]).pk)
    assert revoked.post(path, {"statement": statements[0].pk, "value": 1}).status_code == 401
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    closed = member.post(path, {"statement": statements[1].pk, "value": 1})
    assert closed.status_code == 409 and closed.json()["code"] == "voting_closed"
    assert Vote.objects.filter(participant__user=b.members[5]).count() == 1


def test_service_refusals_are_readable(voting):
    b, response, statements = voting
    with pytest.raises(InvalidInput):
        services.vote_cast(response=response, user=b.members[0], statement_id="x", value=1)
    with pytest.raises(InvalidInput):
        services.vote_cast(response=response, user=b.members[0], statement_id=statements[0].pk, value="maybe")
    with pytest.raises(Conflict):
        services.vote_cast(response=response, user=b.outsider, statement_id=statements[0].pk, value=1)


def test_anonymous_votes_leave_no_trace_of_who_voted(boundary, settings):
    settings.CONVENE_MAP_IN_WORKER = True
    response = boundary.open_response(anonymous=True)
    statements = boundary.statements(response)
    member = ApiClient(boundary.members[3])
    for statement in statements[:3]:
        answer = member.post(_vote_path(response), {"statement": statement.pk, "value": 1})
        assert answer.status_code == 200
    participants = Participant.objects.filter(response=response)
    assert not participants.filter(user__isnull=False).exists()  # (the coordinator wrote the statements)
    assert Vote.objects.filter(response=response).count() == 3
    assert not Contribution.objects.filter(context=response.context).exists()
    body = answer.json()
    assert set(body) == {"statement", "value", "next"} and set(body["next"]) == {"statement", "remaining"}
    assert set(body["next"]["statement"]) == {"id", "text"}


def test_next_statement_skips_what_was_voted_and_ends_when_all_are(voting):
    """Never a statement voted on, the right count of what is left, and (None, 0) at the end."""
    b, response, statements = voting
    user = b.members[8]
    services.vote_cast(response=response, user=user, statement_id=statements[0].pk, value=1)
    participant = Participant.objects.get(response=response, user=user)
    voted = {statements[0].pk}
    for statement in statements[1:]:
        seen = set()
        for seed in range(20):
            picked, remaining = selectors.next_statement(response, participant, rng=seed)
            assert picked is not None and picked.pk not in voted and picked.text
            assert remaining == len(statements) - len(voted)
            seen.add(picked.pk)
        assert seen <= {s.pk for s in statements} - voted
        services.vote_cast(response=response, user=user, statement_id=statement.pk, value=0)
        voted.add(statement.pk)
    assert selectors.next_statement(response, participant) == (None, 0)


def test_the_pool_is_read_once_per_revision_and_shared_through_the_cache(voting):
    b, response, statements = voting
    selectors.next_statement(response, None, rng=0)
    with CaptureQueriesContext(connection) as queries:
        picked, remaining = selectors.next_statement(response, None, rng=1)
    assert len(queries) == 1 and remaining == len(statements)  # the text only: the pool is cached
    services.statement_moderate(statement=statements[0], actor=b.coordinator, decision="reject", reason="Off topic")
    response.refresh_from_db()  # moderation moved the revision: a new pool
    assert selectors.next_statement(response, None, rng=1)[1] == len(statements) - 1
    assert all(selectors.next_statement(response, None, rng=s)[0].pk != statements[0].pk for s in range(20))


def test_a_rejected_statement_voted_on_does_not_count_as_left(voting):
    b, response, statements = voting
    user = b.members[9]
    services.vote_cast(response=response, user=user, statement_id=statements[0].pk, value=1)
    services.vote_cast(response=response, user=user, statement_id=statements[1].pk, value=1)
    services.statement_moderate(statement=statements[0], actor=b.coordinator, decision="reject", reason="Off topic")
    response.refresh_from_db()
    participant = Participant.objects.get(response=response, user=user)
    picked, remaining = selectors.next_statement(response, participant, rng=3)
    assert remaining == len(statements) - 2 and picked.pk not in {statements[0].pk, statements[1].pk}


def test_a_vote_counts_once_against_the_api_write_limit(voting, settings):
    b, response, statements = voting
    settings.CONVENE_API_WRITES_PER_MINUTE = 2
    member = ApiClient(b.members[0])
    assert member.post(_vote_path(response), {"statement": statements[0].pk, "value": 1}).status_code == 200
    assert member.post(_vote_path(response), {"statement": statements[1].pk, "value": 1}).status_code == 200
    refused = member.post(_vote_path(response), {"statement": statements[2].pk, "value": 1})
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
