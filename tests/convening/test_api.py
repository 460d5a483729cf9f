from datetime import timedelta

import pytest
from django.utils import timezone

from convene.convening.models import EmailInvitation, Session

from ..conftest import ApiClient
from .conftest import person

pytestmark = pytest.mark.django_db

C = "/convening"


def _create(client, **extra):
    body = {
        "title": "Referral guidelines",
        "activity": "breakthrough-activity",
        "starts_at": (timezone.now() + timedelta(days=5)).replace(tzinfo=None).isoformat(timespec="minutes"),
        "time_zone": "America/Argentina/Buenos_Aires",
        "capacity": 2,
        "invited_communities": ["priv"],
        **extra,
    }
    return client.post(f"{C}/communities/pub/sessions", body)


def test_catalogue_is_public(world, api):
    items = api("anonymous").get(f"{C}/activities").json()
    slugs = {a["slug"] for a in items}
    assert {"boundary-engagement", "request-for-opinion", "show-and-tell"} <= slugs
    project = api("anonymous").get(f"{C}/activities/boundary-project").json()
    assert project["opens_tool"] == "project" and project["parent"] == "boundary-engagement"
    assert api("anonymous").get(f"{C}/activities/nope").json()["code"] == "not_found"


def test_full_flow_through_the_api(world, api):
    coord, member = api("coordinator"), api("member")
    response = _create(coord)
    assert response.status_code == 201, response.content
    s = response.json()
    assert s["state"] == "draft" and s["time_zone"] == "America/Argentina/Buenos_Aires" and s["starts_at"].endswith("Z")
    sid = s["id"]
    assert member.get(f"{C}/sessions/{sid}").status_code == 404  # drafts are hidden from invitees
    # ticking a community on creation already invited its members and coordinators (issue 18.1)
    assert coord.post(f"{C}/sessions/{sid}/invitations", {"community": "priv"}).json() == {"invited": 0}
    assert coord.get(f"{C}/sessions/{sid}/invitations").json()["count"] == 2
    extra = person("sw@example.com", world.private, discipline="Social worker")
    assert coord.post(f"{C}/sessions/{sid}/invitations", {"email": "sw@example.com"}).json() == {"invited": 1}
    # an e-mail invitation says nothing about accounts and counts in nothing until it is accepted
    assert coord.post(f"{C}/sessions/{sid}/invitations", {"email": "nobody@example.com"}).json() == {"invited": 1}
    assert coord.get(f"{C}/sessions/{sid}/preview").json()["invited"]["total"] == 2
    pending = [r for r in coord.get(f"{C}/sessions/{sid}/invitations").json()["items"] if r["user_id"] is None]
    assert [r["name"] for r in pending] == ["Invited by e-mail (pending)"] * 2
    token = EmailInvitation.objects.get(email="sw@example.com").token
    assert ApiClient(extra).post(f"{C}/invitations/accept", {"token": token}).status_code == 200
    preview = coord.get(f"{C}/sessions/{sid}/preview").json()
    assert preview["invited"]["total"] == 3 and preview["accepted"]["total"] == 0
    assert (
        coord.post(f"{C}/sessions/{sid}/transition", {"to": "invitations_sent"}).json()["state"] == "invitations_sent"
    )
    answer = member.post(f"{C}/sessions/{sid}/rsvp", {"answer": "yes", "needs": "Quiet room"})
    assert answer.status_code == 200 and answer.json()["rsvp"] == "yes"
    assert coord.post(f"{C}/sessions/{sid}/rsvp", {"answer": "yes"}).json()["rsvp"] == "yes"
    third = ApiClient(extra)
    assert third.post(f"{C}/sessions/{sid}/rsvp", {"answer": "yes"}).json()["rsvp"] == "waitlist"
    # needs are visible to the host's coordinators only
    rows = coord.get(f"{C}/sessions/{sid}/invitations").json()["items"]
    assert {r["needs"] for r in rows} == {"Quiet room", ""}
    assert member.get(f"{C}/sessions/{sid}/invitations").status_code == 403
    # capacity below accepted count
    low = coord.patch(f"{C}/sessions/{sid}", {"capacity": 1})
    assert low.status_code == 400 and "cannot be below 2" in low.json()["detail"]
    # freed seat goes to the waitlist
    member.post(f"{C}/sessions/{sid}/rsvp", {"answer": "no"})
    assert third.get(f"{C}/sessions/{sid}/rsvp").json()["rsvp"] == "yes"
    coord.post(f"{C}/sessions/{sid}/transition", {"to": "in_progress"})
    code = Session.objects.get(pk=sid).code
    assert third.post(f"{C}/sessions/{sid}/check-in", {"code": "nope"}).status_code == 400
    assert third.post(f"{C}/sessions/{sid}/check-in", {"code": code}).json()["checked_in_at"]
    turn = coord.post(f"{C}/sessions/{sid}/turns", {"user_id": extra.pk})
    assert turn.status_code == 201 and turn.json()["community"] == "priv"
    queue = coord.get(f"{C}/sessions/{sid}/queue").json()
    assert queue["total_turns"] == 1 and queue["not_spoken"] == []
    cand = coord.post(f"{C}/sessions/{sid}/candidates", {"title": "Referral checklist"}).json()
    rating = third.put(f"{C}/sessions/{sid}/candidates/{cand['id']}/rating", {"usefulness": 5, "commitment": "light"})
    assert rating.status_code == 200
    bad = third.put(f"{C}/sessions/{sid}/candidates/{cand['id']}/rating", {"usefulness": 9, "commitment": "light"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    ranked = coord.get(f"{C}/sessions/{sid}/candidates").json()
    assert ranked[0]["candidate_id"] == cand["id"] and ranked[0]["rank"] == 1
    assert (
        coord.post(f"{C}/sessions/{sid}/candidates/{cand['id']}/pick", {}).json()["picked_candidate_id"] == cand["id"]
    )
    outcome = coord.post(f"{C}/sessions/{sid}/outcomes", {"text": "We will pilot the checklist."})
    assert outcome.status_code == 201
    action = coord.post(f"{C}/sessions/{sid}/actions", {"title": "Pilot it", "owner_id": extra.pk, "due": "2030-01-01"})
    assert action.status_code == 201
    assert member.patch(f"{C}/sessions/{sid}/actions/{action.json()['id']}", {"status": "done"}).status_code == 403
    assert (
        third.patch(f"{C}/sessions/{sid}/actions/{action.json()['id']}", {"status": "done"}).json()["status"] == "done"
    )


def test_bad_input_codes(world, api):
    coord = api("coordinator")
    past = _create(coord, starts_at=(timezone.now() - timedelta(days=1)).isoformat())
    assert past.status_code == 400 and past.json()["code"] == "invalid" and "past" in past.json()["detail"]
    zone = _create(coord, time_zone="Nowhere/Town")
    assert zone.status_code == 400 and "time zone" in zone.json()["detail"]
    unknown = _create(coord, activity="juggling")
    assert unknown.status_code == 400
    assert _create(api("member")).status_code == 403
    assert Session.objects.count() == 0
    sid = _create(coord).json()["id"]
    wrong = coord.post(f"{C}/sessions/{sid}/transition", {"to": "held"})
    assert wrong.status_code == 409 and wrong.json()["code"] == "bad_transition"
    groups = coord.post(f"{C}/sessions/{sid}/groups", {"n_groups": 2})
    assert groups.status_code == 409  # still a draft
    assert coord.post(f"{C}/sessions/{sid}/invitations", {}).status_code == 400


def test_groups_api_and_infeasible(world, api):
    coord = api("coordinator")
    sid = _create(coord, capacity=None).json()["id"]
    people = [person(f"g{n}@example.com", world.private if n % 2 else world.public) for n in range(6)]
    for p in people:
        coord.post(f"{C}/sessions/{sid}/invitations", {"user_id": p.pk})
    coord.post(f"{C}/sessions/{sid}/transition", {"to": "invitations_sent"})
    for p in people:
        ApiClient(p).post(f"{C}/sessions/{sid}/rsvp", {"answer": "yes"})
    bad = coord.post(
        f"{C}/sessions/{sid}/groups",
        {"n_groups": 3, "separate": [[people[0].pk, people[1].pk]], "together": [[people[0].pk, people[1].pk]]},
    )
    assert bad.status_code == 400 and "must-separate" in bad.json()["detail"]
    made = coord.post(f"{C}/sessions/{sid}/groups", {"n_groups": 2})
    assert made.status_code == 201
    body = made.json()
    assert len(body["groups"]) == 2 and body["objective"] > 0
    assert sorted(len(g["members"]) for g in body["groups"]) == [3, 3]
    mine = ApiClient(people[0]).get(f"{C}/sessions/{sid}/groups").json()
    assert len(mine["groups"]) == 1 and people[0].pk in mine["groups"][0]["members"]
    target = next(g["number"] for g in body["groups"] if people[0].pk not in g["members"])
    dry = coord.post(f"{C}/sessions/{sid}/groups/move", {"user_id": people[0].pk, "to_group": target, "dry_run": True})
    assert dry.status_code == 200 and dry.json()["saved"] is False
    moved = coord.post(f"{C}/sessions/{sid}/groups/move", {"user_id": people[0].pk, "to_group": target})
    assert moved.json()["delta"] == pytest.approx(dry.json()["delta"]) and moved.json()["saved"] is True
