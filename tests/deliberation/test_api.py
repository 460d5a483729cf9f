import io
import json
import zipfile
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from convene.deliberation import services
from convene.deliberation.models import Phase

from ..conftest import ApiClient
from .conftest import vote_pattern

D = "/deliberation"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def _request(**over):
    body = {
        "requester_name": "Ada",
        "organisation": "Health Board",
        "contact": "ada@board.example",
        "question": "Your view on the discharge rule?",
        "deadline": (date.today() + timedelta(days=30)).isoformat(),
    }
    body.update(over)
    return body


def test_public_request_for_opinion_tracking_and_rate_limit(boundary):
    anon = ApiClient()
    r = anon.post(f"{D}/communities/psy/opinion-requests", _request())
    assert r.status_code == 201, r.content
    token = r.json()["token"]
    track = anon.get(f"{D}/opinion-requests/{token}").json()
    assert track["status"] == "pending" and track["response"] is None
    past = anon.post(f"{D}/communities/psy/opinion-requests", _request(deadline="2020-01-01"))
    assert past.status_code == 400 and "deadline" in past.json()["detail"]
    for _ in range(3):
        anon.post(f"{D}/communities/psy/opinion-requests", _request())
    limited = anon.post(f"{D}/communities/psy/opinion-requests", _request())
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
    assert anon.get(f"{D}/opinion-requests/not-a-token").status_code == 404


def test_vote_through_api_with_bad_input(boundary):
    b = boundary
    response = b.open_response()
    s = b.statement(response, "Letters arrive late.")
    rejected = b.statement(response, "Spam", by=b.members[1])
    services.statement_moderate(statement=rejected, actor=b.coordinator, decision="reject", reason="Not a view")
    member = ApiClient(b.members[0])
    ok = member.post(f"{D}/responses/{response.pk}/votes", {"statement": s.pk, "value": "agree"})
    assert ok.status_code == 200 and ok.json()["value"] == 1
    again = member.post(f"{D}/responses/{response.pk}/votes", {"statement": s.pk, "value": 1})
    assert again.status_code == 200
    assert member.post(f"{D}/responses/{response.pk}/votes", {"statement": s.pk, "value": 7}).status_code == 400
    r = member.post(f"{D}/responses/{response.pk}/votes", {"statement": rejected.pk, "value": 1})
    assert r.status_code == 409 and "rejected" in r.json()["detail"]
    long = member.post(f"{D}/responses/{response.pk}/statements", {"text": "x" * 300})
    assert long.status_code == 400 and "280" in long.json()["detail"]
    assert member.post(f"{D}/responses/{response.pk}/statements", {"text": " "}).status_code == 400
    # the rejected author sees the reason; others do not
    mine = ApiClient(b.members[1]).get(f"{D}/responses/{response.pk}/statements/mine").json()
    assert mine[0]["reject_reason"] == "Not a view"
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    late = member.post(f"{D}/responses/{response.pk}/votes", {"statement": s.pk, "value": -1})
    assert late.status_code == 409 and "Voting has ended" in late.json()["detail"]


def test_anonymous_response_never_reveals_people(boundary):
    b = boundary
    response = b.open_response(anonymous=True)
    statements = [b.statement(response, f"Statement number {i}") for i in range(4)]
    vote_pattern(response, b, statements)
    coordinator = ApiClient(b.coordinator)
    names = [u.profile.display_name for u in b.members] + [u.email for u in b.members]
    for path in ("statements", "map", "coverage", "endorsements", "document"):
        body = coordinator.get(f"{D}/responses/{response.pk}/{path}").content.decode()
        assert not any(n in body for n in names), path
        assert "user_id" not in body
    export = coordinator.get(f"{D}/responses/{response.pk}/polis-export")
    assert export.status_code == 200
    files = zipfile.ZipFile(io.BytesIO(export.content))
    participants = files.read("participants-votes.csv").decode()
    ids = {line.split(",")[0] for line in participants.splitlines()[1:]}
    assert len(ids) == 10 and ids <= {str(n) for n in range(1, 12)}  # numbers, not user ids
    assert "author-id" in files.read("comments.csv").decode()


def test_hidden_results_and_draft_conflict(boundary):
    b = boundary
    response = b.open_response(hide_results=True)
    s = b.statement(response, "One view.")
    services.vote_cast(response=response, user=b.members[0], statement_id=s.pk, value=1)
    member = ApiClient(b.members[0])
    hidden = member.get(f"{D}/responses/{response.pk}/map")
    assert hidden.status_code == 409 and hidden.json()["code"] == "results_hidden"
    listed = member.get(f"{D}/responses/{response.pk}/statements").json()["items"]
    assert listed[0]["agree"] == 0
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    assert member.get(f"{D}/responses/{response.pk}/map").status_code == 200
    first = member.put(f"{D}/responses/{response.pk}/draft", {"text": "Mine", "base_version": 1})
    assert first.status_code == 200 and first.json()["number"] == 2
    second = ApiClient(b.members[1]).put(f"{D}/responses/{response.pk}/draft", {"text": "Theirs", "base_version": 1})
    assert second.status_code == 409 and second.json()["code"] == "stale_version"
    assert member.get(f"{D}/responses/{response.pk}/draft").json()["text"] == "Mine"


def test_delivery_and_tracking_shows_response(boundary):
    b = boundary
    req = services.opinion_request_submit(
        community=b.psy,
        requester_name="Ada",
        organisation="Board",
        contact="ada@board.example",
        question="Q?",
        deadline=date.today() + timedelta(days=60),
    )

    coordinator = ApiClient(b.coordinator)
    r = coordinator.post(
        f"{D}/communities/psy/opinion-requests/{req.pk}/accept",
        {"gathering_ends": (timezone.now() + timedelta(days=3)).isoformat()},
    )
    assert r.status_code == 201
    rid = r.json()["id"]
    for to in ("gathering",):
        assert coordinator.post(f"{D}/responses/{rid}/transition", {"to": to}).status_code == 200
    s = coordinator.post(f"{D}/responses/{rid}/statements", {"text": "We agree."}).json()
    ApiClient(b.members[0]).post(f"{D}/responses/{rid}/votes", {"statement": s["id"], "value": 1})
    for to in ("drafting", "endorsement"):
        assert coordinator.post(f"{D}/responses/{rid}/transition", {"to": to}).status_code == 200
    e = ApiClient(b.members[0]).post(f"{D}/responses/{rid}/endorsements", {"stance": "object", "reason": "No"})
    assert e.status_code == 200
    bad = coordinator.post(f"{D}/responses/{rid}/transition", {"to": "closed"})
    assert bad.status_code == 409
    assert coordinator.post(f"{D}/responses/{rid}/transition", {"to": "delivered"}).status_code == 200
    edit = ApiClient(b.members[0]).put(f"{D}/responses/{rid}/draft", {"text": "late", "base_version": 1})
    assert edit.status_code == 409 and "delivered" in edit.json()["detail"]
    track = ApiClient().get(f"{D}/opinion-requests/{req.token}").json()
    assert track["status"] == "delivered"
    assert track["response"]["endorsement"]["objections_and_reservations"][0]["reason"] == "No"
    assert "by" not in json.dumps(track["response"]["endorsement"]["objections_and_reservations"])
