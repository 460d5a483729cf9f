"""The JSON API end to end: request → project → match → publish → decline → outcomes → case study."""

from __future__ import annotations

import pytest

from convene.communities.models import OpportunityEntry

from ..conftest import ApiClient
from ..factories import UserFactory


@pytest.fixture
def clients(lab):
    return {
        "coordinator": ApiClient(lab.coordinator),
        "requester": ApiClient(lab.requester),
        **{f"mentor{i}": ApiClient(u) for i, u in enumerate(lab.mentors)},
        **{f"mentee{i}": ApiClient(u) for i, u in enumerate(lab.mentees)},
    }


HELP = {
    "title": "Bed-state report",
    "team_name": "Patient flow",
    "process": "Six spreadsheets copied by hand",
    "minutes_per_run": 300,
    "runs_per_month": 4.3,
    "people_involved": 2,
    "done_looks_like": "Built in minutes",
    "contact": "flow@example.com",
}


def test_full_journey_over_the_api(lab, clients):
    c, r = clients["coordinator"], clients["requester"]
    res = r.post(f"/projects/communities/{lab.community.slug}/requests", HELP)
    assert res.status_code == 201, res.content
    request_id = res.json()["id"]
    res = c.post(f"/projects/requests/{request_id}/triage", {"action": "ask", "message": "Which wards?"})
    assert res.json()["state"] == "info_requested"
    assert r.get(f"/projects/requests/{request_id}").json()["notes"][0]["text"] == "Which wards?"
    assert r.post(f"/projects/requests/{request_id}/answer", {"answer": "All of them"}).json()["state"] == "submitted"
    res = c.post(f"/projects/requests/{request_id}/triage", {"action": "accept"})
    project_id = res.json()["project_id"]
    assert project_id

    res = c.patch(f"/projects/{project_id}", {"required_skills": ["Python", "pandas"], "learning_skills": ["python"]})
    assert res.json()["required_skills"] == ["python", "pandas"]
    assert c.post(f"/projects/{project_id}/transition", {"state": "staffing"}).json()["state"] == "staffing"
    team = c.post(f"/projects/{project_id}/match").json()
    assert sorted(p["role"] for p in team["places"]) == ["mentee"] * 4 + ["mentor"] * 2
    assert all(p["explanation"] for p in team["places"])
    assert team["shortfalls"] == {}
    c.post(f"/projects/{project_id}/publish")
    assert OpportunityEntry.objects.filter(source=f"project:{project_id}").count() == 7

    # a mentee declines and is replaced, others untouched
    places = c.get(f"/projects/{project_id}/team").json()["places"]
    mentee = next(p for p in places if p["role"] == "mentee")
    who = next(k for k, u in enumerate(lab.mentees) if u.pk == mentee["user_id"])
    newcomer = clients[f"mentee{who}"].post(f"/projects/places/{mentee['id']}/decline").json()
    assert newcomer["status"] == "proposed" and newcomer["user_id"] != mentee["user_id"]
    after = {p["user_id"] for p in c.get(f"/projects/{project_id}/team").json()["places"]}
    assert after == ({p["user_id"] for p in places} - {mentee["user_id"]}) | {newcomer["user_id"]}
    c.post(f"/projects/{project_id}/publish")
    assert c.post(f"/projects/{project_id}/transition", {"state": "active"}).json()["state"] == "active"

    res = c.post(f"/projects/{project_id}/milestones", {"title": "Prototype", "owner_id": newcomer["user_id"]})
    assert res.status_code == 201
    owner_client = {u.pk: clients[f"mentee{k}"] for k, u in enumerate(lab.mentees)}[newcomer["user_id"]]
    assert owner_client.patch(f"/projects/milestones/{res.json()['id']}", {"state": "done"}).json()["state"] == "done"
    c.post(f"/projects/{project_id}/transition", {"state": "delivered"})

    bad = c.put(f"/projects/{project_id}/measures", {"after_minutes_per_run": -3, "after_runs_per_month": 4})
    assert bad.status_code == 400 and "negative" in bad.json()["detail"]
    huge = c.put(f"/projects/{project_id}/measures", {"after_minutes_per_run": 20000})
    assert huge.status_code == 400 and huge.json()["code"] == "invalid"
    ok = c.put(
        f"/projects/{project_id}/measures",
        {
            "before_minutes_per_run": 300,
            "before_runs_per_month": 4.3,
            "after_minutes_per_run": 8,
            "after_runs_per_month": 4.3,
        },
    )
    assert ok.json()["hours_saved_per_year"] == pytest.approx((300 - 8) * 4.3 * 12 / 60, abs=0.1)
    res = owner_client.put(f"/projects/{project_id}/my-skills", {"before": {"python": 1}, "after": {"python": 4}})
    assert res.status_code == 200, res.content
    assert r.put(f"/projects/{project_id}/satisfaction", {"score": 5, "comment": "Life-changing"}).status_code == 200
    assert c.post(f"/projects/{project_id}/transition", {"state": "evaluated"}).status_code == 200
    study = c.post(f"/projects/{project_id}/case-study", {"publish": True}).json()
    assert study["published_at"] and len(study["team"]) == 6
    outsider = ApiClient(UserFactory(email="x@example.com"))
    assert outsider.get(f"/projects/{project_id}/case-study").status_code == 200
    assert outsider.get(f"/projects/{project_id}").status_code == 404
    assert [s["id"] for s in outsider.get("/projects/case-studies").json()["items"]] == [project_id]

    # the mentee's ratings appear by name only once they confirm; nobody else can confirm for them
    assert outsider.get(f"/projects/{project_id}/case-study").json()["skills"] == []
    assert c.put(f"/projects/{project_id}/case-study/consent", {"consent": True}).status_code == 409
    bad = owner_client.put(f"/projects/{project_id}/case-study/consent", {"consent": "perhaps"})
    assert bad.status_code == 422
    res = owner_client.put(f"/projects/{project_id}/case-study/consent", {"consent": True})
    assert res.status_code == 200 and res.json() == {"consent": "confirmed"}
    skills = outsider.get(f"/projects/{project_id}/case-study").json()["skills"]
    assert [s["gains"][0]["after"] for s in skills] == [4]
    assert owner_client.put(f"/projects/{project_id}/case-study/consent", {"consent": False}).json() == {
        "consent": "declined"
    }
    assert outsider.get(f"/projects/{project_id}/case-study").json()["skills"] == []


def test_bad_input_is_a_clear_400(lab, clients):
    c = clients["coordinator"]
    res = clients["requester"].post(
        f"/projects/communities/{lab.community.slug}/requests", {**HELP, "minutes_per_run": -10}
    )
    assert res.status_code == 400 and res.json() == {
        "detail": "Minutes per run cannot be negative.",
        "code": "invalid",
    }
    res = c.post(
        f"/projects/communities/{lab.community.slug}/projects",
        {"title": "x", "goal": "g", "requesting_contact": "c", "mentees_wanted": 99},
    )
    assert res.status_code == 400 and "Mentees wanted" in res.json()["detail"]
    res = c.post(f"/projects/communities/{lab.community.slug}/projects", {"title": "x"})
    assert res.status_code == 422 and set(res.json()) == {"detail", "code"}
    res = clients["mentor0"].put("/projects/me/offer", {"role": "mentor", "teaches": [], "hours_per_month": 3})
    assert res.status_code == 400 and "teach" in res.json()["detail"]


def test_shortfall_is_reported(lab, clients):
    c = clients["coordinator"]
    project = lab.staffed_project(mentors_wanted=6, mentees_wanted=1)
    team = c.post(f"/projects/{project.pk}/match").json()
    assert team["shortfalls"] == {"mentor": 3}


def test_member_sees_only_published_team_and_own_proposal(lab, clients):
    project = lab.staffed_project()
    clients["coordinator"].post(f"/projects/{project.pk}/match")
    places = clients["coordinator"].get(f"/projects/{project.pk}/team").json()["places"]
    member = next(p for p in places if p["role"] == "mentee")
    who = next(k for k, u in enumerate(lab.mentees) if u.pk == member["user_id"])
    seen = clients[f"mentee{who}"].get(f"/projects/{project.pk}/team").json()["places"]
    assert [p["user_id"] for p in seen] == [member["user_id"]]
    assert seen[0]["priority_tier"] == member["priority_tier"] and seen[0]["explanation"]
