"""Decisions for projects routes. Order: anon, outsider, guest, member, coordinator.

The outsider asked the public community for help (so they see their own request); the project lives in
the private community; a second, delivered project has a published case study any logged-in person reads.
"""

from django.utils import timezone

from convene.projects.models import HelpRequest, Milestone, Project, TeamPlace

from . import Case


def setup(world):
    o, users = world.objects, world.users
    o["help_request"] = HelpRequest.objects.create(
        community=world.public,
        requester=users["outsider"],
        title="Rota report",
        team_name="Rota team",
        process="By hand",
        minutes_per_run=120,
        runs_per_month=4,
        done_looks_like="Automatic",
        contact="rota@example.com",
    )
    project = Project.objects.create(
        title="Rota automation",
        goal="Build the rota report automatically",
        requesting_contact="rota@example.com",
        lead_community=world.private,
        required_skills=["python"],
        learning_skills=["python"],
        state="staffing",
    )
    project.communities.set([world.private])
    o["project"] = project
    o["member_place"] = TeamPlace.objects.create(
        project=project, user=users["member"], role="mentee", status="published"
    )
    TeamPlace.objects.create(project=project, user=users["coordinator"], role="mentor", status="proposed")
    o["milestone"] = Milestone.objects.create(project=project, title="Prototype", owner=users["member"])
    published = Project.objects.create(
        title="Bed-state report",
        goal="Report in minutes",
        requesting_contact="flow@example.com",
        lead_community=world.private,
        state="delivered",
        case_study_published_at=timezone.now(),
    )
    published.communities.set([world.private])
    o["published"] = published


PRIV = lambda w: {"slug": "priv"}  # noqa: E731
PUB = lambda w: {"slug": "pub"}  # noqa: E731
REQ = lambda w: {"request_id": w.objects["help_request"].pk}  # noqa: E731
PROJ = lambda w: {"project_id": w.objects["project"].pk}  # noqa: E731
DONE = lambda w: {"project_id": w.objects["published"].pk}  # noqa: E731
PLACE = lambda w: {"place_id": w.objects["member_place"].pk}  # noqa: E731
PROJ_PLACE = lambda w: {"project_id": w.objects["project"].pk, "place_id": w.objects["member_place"].pk}  # noqa: E731
MS = lambda w: {"milestone_id": w.objects["milestone"].pk}  # noqa: E731

HELP = {
    "title": "Clinic letters",
    "team_name": "Outpatients",
    "process": "Typed by hand",
    "minutes_per_run": 30,
    "runs_per_month": 20,
    "people_involved": 2,
    "done_looks_like": "Letters drafted from the record",
    "contact": "op@example.com",
}

WEB = [
    Case("projects:mine", (302, 200, 200, 200, 200)),
    Case("projects:create", (302, 200, 200, 200, 200), note="lists the communities you coordinate"),
    Case("projects:create", (302, 404, 403, 403, 200), PRIV),
    Case("projects:community", (302, 404, 200, 200, 200), PRIV),
    Case("projects:request_create", (302, 200, 200, 200, 200), PUB, note="anyone logged in may ask a public one"),
    Case("projects:request_create", (302, 404, 200, 200, 200), PRIV),
    Case("projects:request_create", (302, 302, 302, 302, 302), PUB, method="POST", data=lambda w: HELP),
    Case("projects:requests", (302, 404, 403, 403, 200), PRIV),
    Case("projects:offers", (302, 404, 403, 403, 200), PRIV),
    Case("projects:offer", (302, 200, 200, 200, 200)),
    Case("projects:request_detail", (302, 200, 404, 404, 200), REQ, note="the requester and the coordinators"),
    Case(
        "projects:request_triage",
        (302, 403, 404, 404, 302),
        REQ,
        method="POST",
        data=lambda w: {"action": "ask", "message": "Which wards?"},
    ),
    Case(
        "projects:request_answer",
        (302, 302, 404, 404, 403),
        REQ,
        method="POST",
        data=lambda w: {"answer": "All"},
        note="no question waiting: the requester gets a flash message",
    ),
    Case("projects:request_withdraw", (302, 302, 404, 404, 403), REQ, method="POST"),
    Case("projects:detail", (302, 404, 200, 200, 200), PROJ),
    Case("projects:edit", (302, 404, 403, 403, 200), PROJ),
    Case("projects:transition", (302, 404, 403, 403, 302), PROJ, method="POST", data=lambda w: {"state": "paused"}),
    Case("projects:team", (302, 404, 403, 403, 200), PROJ),
    Case("projects:match", (302, 404, 403, 403, 302), PROJ, method="POST"),
    Case("projects:message", (302, 404, 403, 403, 200), PROJ, note="coordinators write to the published team"),
    Case("projects:publish", (302, 404, 403, 403, 302), PROJ, method="POST"),
    Case(
        "projects:place_add",
        (302, 404, 403, 403, 302),
        PROJ,
        method="POST",
        data=lambda w: {"user": w.users["member"].pk, "role": "mentee"},
        note="coordinators only; the member already has a place, so the form says so",
    ),
    Case("projects:place_remove", (302, 404, 403, 403, 302), PROJ_PLACE, method="POST"),
    Case(
        "projects:place_swap",
        (302, 404, 403, 403, 302),
        PROJ_PLACE,
        method="POST",
        data=lambda w: {"user": w.users["outsider"].pk},
    ),
    Case("projects:conflict", (302, 404, 302, 302, 302), PROJ, method="POST"),
    Case("projects:milestone_add", (302, 404, 403, 403, 302), PROJ, method="POST", data=lambda w: {"title": "Go live"}),
    Case(
        "projects:milestone_state",
        (302, 404, 403, 302, 302),
        MS,
        method="POST",
        data=lambda w: {"state": "done"},
        note="its owner (the member) or a coordinator",
    ),
    Case("projects:outcomes", (302, 404, 200, 200, 200), PROJ),
    Case(
        "projects:outcomes",
        (302, 404, 403, 302, 403),
        PROJ,
        method="POST",
        data=lambda w: {"part": "skills", "before_0": "2", "after_0": "4"},
        note="only a published mentee records skills",
    ),
    Case("projects:case_study", (302, 404, 200, 200, 200), PROJ, note="a draft: the project's communities only"),
    Case("projects:case_study", (302, 200, 200, 200, 200), DONE, note="published: any logged-in person"),
    Case("projects:case_study_publish", (302, 404, 403, 403, 302), DONE, method="POST"),
    Case(
        "projects:case_study_consent",
        (302, 404, 302, 302, 302),
        PROJ,
        method="POST",
        data=lambda w: {"consent": "1"},
        note="the published mentee (the member) decides; others get a flash message",
    ),
    Case("projects:decline", (302, 404, 403, 302, 403), PLACE, method="POST", note="only the place's holder"),
    Case("projects:case_studies", (302, 200, 200, 200, 200)),
]

P = "/api/v1/projects"
API = [
    Case(f"GET {P}/requests", (401, 200, 200, 200, 200)),
    Case(f"POST {P}/communities/{{slug}}/requests", (401, 201, 201, 201, 201), PUB, data=lambda w: HELP),
    Case(f"GET {P}/requests/{{request_id}}", (401, 200, 404, 404, 200), REQ),
    Case(
        f"POST {P}/requests/{{request_id}}/triage",
        (401, 403, 404, 404, 200),
        REQ,
        data=lambda w: {"action": "decline", "message": "Not our field."},
    ),
    Case(
        f"POST {P}/requests/{{request_id}}/answer",
        (401, 409, 404, 404, 403),
        REQ,
        data=lambda w: {"answer": "All"},
        note="no question is waiting",
    ),
    Case(f"POST {P}/requests/{{request_id}}/withdraw", (401, 200, 404, 404, 403), REQ, data=lambda w: {}),
    Case(f"GET {P}/me/offer", (401, 200, 200, 200, 200)),
    Case(
        f"PUT {P}/me/offer",
        (401, 200, 200, 200, 200),
        data=lambda w: {"role": "mentee", "wants": ["python"], "hours_per_month": 4},
    ),
    Case(f"GET {P}/communities/{{slug}}/offers", (401, 404, 403, 403, 200), PRIV),
    Case(f"GET {P}/case-studies", (401, 200, 200, 200, 200)),
    Case(f"GET {P}/", (401, 200, 200, 200, 200)),
    Case(
        f"POST {P}/communities/{{slug}}/projects",
        (401, 404, 403, 403, 201),
        PRIV,
        data=lambda w: {"title": "New", "goal": "g", "requesting_contact": "c", "required_skills": ["sql"]},
    ),
    Case(f"GET {P}/communities/{{slug}}/projects", (401, 404, 200, 200, 200), PRIV),
    Case(f"GET {P}/{{project_id}}", (401, 404, 200, 200, 200), PROJ),
    Case(f"PATCH {P}/{{project_id}}", (401, 404, 403, 403, 200), PROJ, data=lambda w: {"goal": "Sharper goal"}),
    Case(f"POST {P}/{{project_id}}/transition", (401, 404, 403, 403, 200), PROJ, data=lambda w: {"state": "paused"}),
    Case(f"GET {P}/{{project_id}}/team", (401, 404, 200, 200, 200), PROJ),
    Case(f"POST {P}/{{project_id}}/match", (401, 404, 403, 403, 200), PROJ, data=lambda w: {}),
    Case(
        f"POST {P}/{{project_id}}/messages",
        (401, 404, 403, 403, 201),
        PROJ,
        data=lambda w: {"text": "Kick-off on Monday."},
        note="coordinators write to the published team",
    ),
    Case(f"POST {P}/{{project_id}}/publish", (401, 404, 403, 403, 200), PROJ, data=lambda w: {}),
    Case(
        f"POST {P}/{{project_id}}/team/places",
        (401, 404, 403, 403, 409),
        PROJ,
        data=lambda w: {"user_id": w.users["member"].pk, "role": "mentee"},
        note="coordinators reach the service: the member already has a place",
    ),
    Case(
        f"DELETE {P}/{{project_id}}/team/places/{{place_id}}",
        (401, 404, 403, 403, 200),
        PROJ_PLACE,
        note="coordinators only (rolled back after the case)",
    ),
    Case(
        f"POST {P}/{{project_id}}/team/places/{{place_id}}/swap",
        (401, 404, 403, 403, 400),
        PROJ_PLACE,
        data=lambda w: {"user_id": w.users["outsider"].pk},
        note="the outsider is not a member of the project's communities",
    ),
    Case(f"POST {P}/places/{{place_id}}/decline", (401, 404, 403, 200, 403), PLACE, data=lambda w: {}),
    Case(f"PUT {P}/{{project_id}}/conflict", (401, 404, 204, 204, 204), PROJ, data=lambda w: {"note": "my team"}),
    Case(f"DELETE {P}/{{project_id}}/conflict", (401, 404, 204, 204, 204), PROJ),
    Case(f"GET {P}/{{project_id}}/milestones", (401, 404, 200, 200, 200), PROJ),
    Case(f"POST {P}/{{project_id}}/milestones", (401, 404, 403, 403, 201), PROJ, data=lambda w: {"title": "Go live"}),
    Case(f"PATCH {P}/milestones/{{milestone_id}}", (401, 404, 403, 200, 200), MS, data=lambda w: {"state": "done"}),
    Case(f"GET {P}/{{project_id}}/outcomes", (401, 404, 200, 200, 200), PROJ),
    Case(
        f"PUT {P}/{{project_id}}/measures",
        (401, 404, 403, 403, 200),
        PROJ,
        data=lambda w: {"before_minutes_per_run": 120, "after_minutes_per_run": 5},
    ),
    Case(
        f"PUT {P}/{{project_id}}/my-skills",
        (401, 404, 403, 200, 403),
        PROJ,
        data=lambda w: {"before": {"python": 2}, "after": {"python": 4}},
    ),
    Case(
        f"PUT {P}/{{project_id}}/reflection",
        (401, 404, 403, 403, 403),
        PROJ,
        data=lambda w: {"text": "I learned to lead."},
        note="the coordinator's mentor place is only proposed; the member is a mentee",
    ),
    Case(f"PUT {P}/{{project_id}}/satisfaction", (401, 404, 403, 403, 200), PROJ, data=lambda w: {"score": 4}),
    Case(f"GET {P}/{{project_id}}/case-study", (401, 404, 200, 200, 200), PROJ),
    Case(f"GET {P}/{{project_id}}/case-study", (401, 200, 200, 200, 200), DONE),
    Case(f"POST {P}/{{project_id}}/case-study", (401, 404, 403, 403, 200), DONE, data=lambda w: {"publish": True}),
    Case(
        f"PUT {P}/{{project_id}}/case-study/consent",
        (401, 404, 409, 200, 409),
        PROJ,
        data=lambda w: {"consent": True},
        note="only the published mentee (the member) answers for their own ratings",
    ),
]
