"""API routes for help requests, projects, mentoring offers, team matching, milestones and outcomes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict, StrictBool, StrictFloat

from convene.accounts.models import User
from convene.communities.models import Community, Membership, Role
from convene.core.api import ERRORS, VISIBLE_TEXT, Pagination, WholeInt
from convene.core.errors import InvalidInput
from convene.notifications.schemas import MessageOut, ProjectMessageIn

from . import selectors, services
from .models import HelpRequest, HelpRequestState, OfferRole, Project, ProjectState, TeamPlace
from .permissions import (
    Access,
    Need,
    case_study_for,
    community_for,
    help_request_for,
    milestone_for,
    place_for,
    project_access,
    project_for,
    require_record,
    visible_projects,
)

router = Router(tags=["projects"])

Skills = list[str]
# A tag in a mentoring offer (accounts.services.skill_names: at most 60 characters, something visible).
OfferTag = Annotated[str, Field(max_length=60, pattern=VISIBLE_TEXT)]


# ----------------------------------------------------------------------------- schemas


class HelpRequestIn(Schema):
    title: str = Field(..., max_length=500)
    team_name: str = Field(..., max_length=500)
    process: str = Field(..., max_length=10000)
    minutes_per_run: StrictFloat
    runs_per_month: StrictFloat
    people_involved: WholeInt = 1
    done_looks_like: str = Field(..., max_length=10000)
    data_and_tools: str = Field("", max_length=10000)
    contact: str = Field(..., max_length=500)


class ProjectsNoteOut(Schema):
    kind: str
    text: str
    created_at: datetime


class HelpRequestOut(Schema):
    id: int
    community: str
    title: str
    team_name: str
    process: str
    minutes_per_run: int
    runs_per_month: float
    hours_per_month: float = Field(description="minutes per run × runs per month, in hours (as the pages show it)")
    people_involved: int
    done_looks_like: str
    data_and_tools: str
    contact: str
    state: HelpRequestState
    decline_reason: str
    project_id: int | None
    notes: list[ProjectsNoteOut]
    created_at: datetime


class TriageIn(Schema):
    action: str = Field(
        ..., pattern="^(accept|ask|decline)$", description="accept, ask (for more information) or decline"
    )
    message: str = Field("", max_length=5000, description="the question (ask) or the reason (decline)")


class ProjectsAnswerIn(Schema):
    answer: str = Field(..., max_length=5000)


class ProjectIn(Schema):
    title: str = Field(..., max_length=500)
    goal: str = Field(..., max_length=10000)
    requesting_contact: str = Field(..., max_length=500)
    communities: list[str] = Field([], max_length=20, description="slugs of other communities (boundary project)")
    required_skills: Skills = Field([], max_length=30)
    learning_skills: Skills = Field([], max_length=30)
    mentors_wanted: WholeInt = 2
    mentees_wanted: WholeInt = 4
    min_hours: WholeInt = 0
    before_minutes_per_run: StrictFloat | None = None
    before_runs_per_month: StrictFloat | None = None


class ProjectPatch(Schema):
    title: str | None = Field(None, max_length=500)
    goal: str | None = Field(None, max_length=10000)
    requesting_contact: str | None = Field(None, max_length=500)
    approach: str | None = Field(None, max_length=10000)
    communities: list[str] | None = Field(None, max_length=20)
    required_skills: Skills | None = Field(None, max_length=30)
    learning_skills: Skills | None = Field(None, max_length=30)
    mentors_wanted: WholeInt | None = None
    mentees_wanted: WholeInt | None = None
    min_hours: WholeInt | None = None


class ProjectOut(Schema):
    id: int
    title: str
    goal: str
    requesting_contact: str
    state: ProjectState
    lead_community: str
    communities: list[str]
    boundary: bool
    required_skills: Skills
    learning_skills: Skills
    mentors_wanted: int
    mentees_wanted: int
    min_hours: int
    shortfalls: dict[str, int]
    help_request_id: int | None
    case_study_published: bool
    created_at: datetime


class ProjectsTransitionIn(Schema):
    state: ProjectState


class PlaceOut(Schema):
    id: int
    user_id: int
    name: str
    role: str
    status: str
    is_lead: bool
    mentor_user_id: int | None
    score: float | None = Field(description="fit; null unless you coordinate the project or hold the place")
    priority_tier: int | None = Field(description="whose turn (1 = fewest opportunities); null as score")
    explanation: str | None = Field(description="why proposed, with the opportunity count; null as score")
    shared_skills: Skills


class TeamOut(Schema):
    places: list[PlaceOut]
    shortfalls: dict[str, int]
    uncovered_skills: list[str] = Field(
        [], description="required skills no mentor on the team offers to teach (coordinators only)"
    )


class PlaceIn(Schema):
    user_id: WholeInt
    role: str = Field(..., max_length=10, description="mentor or mentee")


class SwapIn(Schema):
    user_id: WholeInt = Field(..., description="who takes the place (same role)")


class ConflictIn(Schema):
    note: str = Field("", max_length=1000)


class MilestoneIn(Schema):
    title: str = Field(..., max_length=500)
    owner_id: WholeInt | None = None
    due: date | None = None


class MilestonePatch(Schema):
    state: str = Field(..., max_length=20)


class MilestoneOut(Schema):
    id: int
    project_id: int
    title: str
    owner_id: int | None
    due: date | None
    state: str


class MeasuresIn(Schema):
    before_minutes_per_run: StrictFloat | None = None
    before_runs_per_month: StrictFloat | None = None
    after_minutes_per_run: StrictFloat | None = None
    after_runs_per_month: StrictFloat | None = None


class SkillsIn(Schema):
    before: dict[str, WholeInt | None] = Field({}, description="skill -> 1..5")
    after: dict[str, WholeInt | None] = Field({}, description="skill -> 1..5")


class ReflectionIn(Schema):
    text: str = Field(..., max_length=10000)


class SatisfactionIn(Schema):
    score: WholeInt
    comment: str = Field("", max_length=5000)


class ConsentIn(Schema):
    consent: StrictBool = Field(..., description="true: the case study may show your skill ratings with your name")


class ConsentOut(Schema):
    consent: str


class OutcomesOut(Schema):
    before_minutes_per_run: float | None
    before_runs_per_month: float | None
    after_minutes_per_run: float | None
    after_runs_per_month: float | None
    hours_saved_per_year: float | None
    skills: list[dict]
    reflections: list[dict]
    satisfaction: int | None
    satisfaction_comment: str


class CaseStudyOut(Schema):
    id: int
    title: str
    problem: str
    goal: str
    approach: str
    communities: list[str]
    team: list[dict]
    hours_saved_per_year: float | None
    before_minutes_per_run: float | None
    after_minutes_per_run: float | None
    satisfaction: int | None
    mean_skill_gain: float | None = Field(description="null when fewer than 5 mentees' ratings are not shown by name")
    skills: list[dict] = Field(description="ratings of mentees who agreed to be named (or your own)")
    published_at: datetime | None


class PublishIn(Schema):
    publish: StrictBool = True


def _offer_needs(role: str, *lists: str) -> dict:
    needs = {name: {"minItems": 1} for name in lists}
    return {"properties": {"role": {"const": role}} | needs, "required": list(lists)}


class OfferIn(Schema):
    # services.offer_set: a mentor lists what they teach, a mentee what they want to learn.
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                _offer_needs(OfferRole.NONE.value),
                _offer_needs(OfferRole.MENTOR.value, "teaches"),
                _offer_needs(OfferRole.MENTEE.value, "wants"),
                _offer_needs(OfferRole.BOTH.value, "teaches", "wants"),
            ]
        }
    )

    role: OfferRole
    teaches: list[OfferTag] = Field([], max_length=30)
    wants: list[OfferTag] = Field([], max_length=30)
    hours_per_month: WholeInt = Field(0, ge=0, le=services.MAX_HOURS)
    max_projects: WholeInt = Field(1, ge=0, le=services.MAX_CONCURRENT)


class OfferOut(Schema):
    user_id: int
    role: OfferRole
    teaches: Skills
    wants: Skills
    hours_per_month: int
    max_projects: int


# ----------------------------------------------------------------------------- converters


def _request_out(r: HelpRequest) -> dict:
    project = getattr(r, "project", None)
    return {
        **{f: getattr(r, f) for f in HelpRequestOut.model_fields if hasattr(r, f) and f not in ("community", "notes")},
        "community": r.community.slug,
        "project_id": project.pk if project else None,
        "notes": list(r.notes.all()),
    }


def _project_out(p: Project) -> dict:
    slugs = [c.slug for c in p.communities.all()]
    return {
        **{f: getattr(p, f) for f in ProjectOut.model_fields if hasattr(p, f) and f not in ("communities",)},
        "lead_community": p.lead_community.slug,
        "communities": slugs,
        "boundary": len(slugs) > 1,
    }


def _place_out(p: TeamPlace, *, viewer, managing: bool) -> dict:
    return {
        **{f: getattr(p, f) for f in PlaceOut.model_fields if hasattr(p, f)},
        "name": p.user.display_name,
        "mentor_user_id": p.mentor.user_id if p.mentor_id else None,
        **selectors.team_place_for_viewer(p, viewer=viewer, managing=managing),
    }


def _team_out(project: Project, places, *, viewer) -> dict:
    managing = project.access == Access.MANAGE
    return {
        "places": [_place_out(p, viewer=viewer, managing=managing) for p in places],
        "shortfalls": project.shortfalls,
        "uncovered_skills": selectors.uncovered_skills(project) if managing else [],
    }


def _person(user_id: int) -> User:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise InvalidInput(
            _("Only members of the project's communities can join its team (guests cannot)."), field="user"
        )
    return user


def _communities(user, slugs: list[str] | None) -> list[Community] | None:
    if slugs is None:
        return None
    return [community_for(user, slug) for slug in slugs]


def _outcomes(project: Project, viewer) -> dict:
    managing = project_access(viewer, project) == Access.MANAGE
    audience = selectors.Audience.COORDINATORS if managing else selectors.Audience.TEAM
    study = selectors.case_study(project, viewer=viewer, audience=audience)
    return {
        **{f: getattr(project, f) for f in OutcomesOut.model_fields if hasattr(project, f)},
        "skills": [
            {"user_id": p["user_id"], "name": p["name"], "gains": p["gains"]}
            for p in study["mentees"]
            if p["gains"] is not None
        ],
        "reflections": [
            {"user_id": p["user_id"], "name": p["name"], "text": p["reflection"]}
            for p in study["mentors"]
            if p["reflection"]
        ],
    }


# ----------------------------------------------------------------------------- help requests


@router.get("/requests", response={200: list[HelpRequestOut], **ERRORS}, summary="Help requests you asked or triage")
@paginate(Pagination)
def list_requests(request, community: str = ""):
    coordinated = Membership.objects.filter(user=request.user, role=Role.COORDINATOR).values("community_id")
    qs = HelpRequest.objects.filter(Q(requester=request.user) | Q(community_id__in=coordinated))
    if community:
        qs = qs.filter(community__slug=community[:60])
    return [_request_out(r) for r in qs.select_related("community", "project").prefetch_related("notes")]


@router.post(
    "/communities/{slug}/requests", response={201: HelpRequestOut, **ERRORS}, summary="Ask a community for help"
)
def create_request(request, slug: str, payload: HelpRequestIn):
    community = community_for(request.user, slug)
    help_request = services.help_request_submit(community=community, requester=request.user, **payload.dict())
    return Status(201, _request_out(help_request))


@router.get("/requests/{int:request_id}", response={200: HelpRequestOut, **ERRORS})
def get_request(request, request_id: int):
    return _request_out(help_request_for(request.user, request_id))


@router.post("/requests/{int:request_id}/triage", response={200: HelpRequestOut, **ERRORS})
def triage_request(request, request_id: int, payload: TriageIn):
    help_request = help_request_for(request.user, request_id, manage=True)
    if payload.action == "accept":
        services.help_request_accept(help_request=help_request, actor=request.user)
    elif payload.action == "ask":
        services.help_request_ask(help_request=help_request, actor=request.user, question=payload.message)
    else:
        services.help_request_decline(help_request=help_request, actor=request.user, reason=payload.message)
    return _request_out(HelpRequest.objects.select_related("community").get(pk=help_request.pk))


@router.post("/requests/{int:request_id}/answer", response={200: HelpRequestOut, **ERRORS})
def answer_request(request, request_id: int, payload: ProjectsAnswerIn):
    help_request = help_request_for(request.user, request_id, requester=True)
    return _request_out(
        services.help_request_answer(help_request=help_request, requester=request.user, answer=payload.answer)
    )


@router.post("/requests/{int:request_id}/withdraw", response={200: HelpRequestOut, **ERRORS})
def withdraw_request(request, request_id: int):
    help_request = help_request_for(request.user, request_id, requester=True)
    return _request_out(services.help_request_withdraw(help_request=help_request, requester=request.user))


# ----------------------------------------------------------------------------- willingness and capacity


@router.get("/me/offer", response={200: OfferOut | None, **ERRORS}, summary="Your mentoring offer")
def get_offer(request):
    return getattr(request.user, "mentoring_offer", None)


@router.put("/me/offer", response={200: OfferOut, **ERRORS}, summary="Say whether you would mentor or be mentored")
def put_offer(request, payload: OfferIn):
    return services.mentoring_offer_save(user=request.user, **payload.dict())


@router.get("/communities/{slug}/offers", response={200: list[OfferOut], **ERRORS}, summary="Members' offers")
@paginate(Pagination)
def list_offers(request, slug: str):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    return selectors.community_offers(community)


# ----------------------------------------------------------------------------- case studies


@router.get("/case-studies", response={200: list[CaseStudyOut], **ERRORS}, summary="Published case studies")
@paginate(Pagination)
def list_case_studies(request):
    return [_case_study_out(p, request.user) for p in selectors.published_case_studies()]


def _case_study_out(project: Project, viewer) -> dict:
    """The case study as an outsider may read it: private communities (and people who came through
    them) only for their members, a mentee's ratings by name only with their consent."""
    study = selectors.case_study(project, viewer=viewer)
    return {
        "id": project.pk,
        "title": project.title,
        "problem": study["problem"],
        "goal": study["goal"],
        "approach": study["approach"],
        "communities": [c["slug"] for c in study["communities"] if c["slug"]],
        "team": [
            {"name": p["name"], "role": p["role"], "is_lead": p["is_lead"]} for p in study["mentors"] + study["mentees"]
        ],
        "mean_skill_gain": study["mean_gain"],
        "skills": [{"name": p["name"], "gains": p["gains"]} for p in study["mentees"] if p["gains"] is not None],
        "hours_saved_per_year": study["hours_saved"],
        "before_minutes_per_run": study["before_minutes"],
        "after_minutes_per_run": study["after_minutes"],
        "satisfaction": study["satisfaction"],
        "published_at": project.case_study_published_at,
    }


# ----------------------------------------------------------------------------- projects


@router.get("/", response={200: list[ProjectOut], **ERRORS}, summary="Projects you can see")
@paginate(Pagination)
def list_projects(request, community: str = "", state: str = ""):
    qs = visible_projects(request.user).select_related("lead_community").prefetch_related("communities")
    if community:
        qs = qs.filter(communities__slug=community[:60])
    if state:
        qs = qs.filter(state=state[:12])
    return [_project_out(p) for p in qs.order_by("-created_at", "-id")]


@router.post("/communities/{slug}/projects", response={201: ProjectOut, **ERRORS}, summary="Start a project")
def create_project(request, slug: str, payload: ProjectIn):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    data = payload.dict()
    others = _communities(request.user, data.pop("communities"))
    project = services.project_create(community=community, actor=request.user, communities=others, **data)
    return Status(201, _project_out(project))


@router.get("/{int:project_id}", response={200: ProjectOut, **ERRORS})
def get_project(request, project_id: int):
    return _project_out(project_for(request.user, project_id))


@router.patch("/{int:project_id}", response={200: ProjectOut, **ERRORS})
def update_project(request, project_id: int, payload: ProjectPatch):
    project = project_for(request.user, project_id, need=Access.MANAGE)
    data = payload.dict(exclude_unset=True)
    others = _communities(request.user, data.pop("communities", None))
    return _project_out(services.project_update(project=project, actor=request.user, communities=others, **data))


@router.post("/{int:project_id}/transition", response={200: ProjectOut, **ERRORS}, summary="Move the project on")
def transition_project(request, project_id: int, payload: ProjectsTransitionIn):
    project = project_for(request.user, project_id, need=Access.MANAGE)
    return _project_out(services.project_transition(project=project, actor=request.user, to=payload.state))


@router.get("/{int:project_id}/team", response={200: TeamOut, **ERRORS}, summary="Proposed and published places")
def get_team(request, project_id: int):
    project = project_for(request.user, project_id)
    statuses = ("proposed", "published") if project.access == Access.MANAGE else ("published",)
    places = selectors.team(project, statuses=statuses)
    if project.access < Access.MANAGE:  # members also see their own proposal
        places = places | selectors.team(project).filter(user=request.user)
    return _team_out(project, places.distinct(), viewer=request.user)


@router.post("/{int:project_id}/match", response={200: TeamOut, **ERRORS}, summary="Propose the open places")
def match_team(request, project_id: int):
    project = project_for(request.user, project_id, need=Access.MANAGE)
    services.team_match(project=project, actor=request.user)
    project.refresh_from_db()
    return _team_out(project, selectors.team(project), viewer=request.user)


@router.post("/{int:project_id}/messages", response={201: MessageOut, **ERRORS}, summary="Write to the team")
def team_message(request, project_id: int, payload: ProjectMessageIn):
    """A coordinator writes to everyone with a published place on the team; each gets a
    notification (mail as they chose), and nobody sees anyone's address."""
    project = project_for(request.user, project_id, need=Access.MANAGE)
    sent = services.project_message_send(
        project=project, actor=request.user, audience=payload.audience, text=payload.text
    )
    return Status(201, {"sent": sent, "text": payload.text.strip()})


@router.post("/{int:project_id}/publish", response={200: TeamOut, **ERRORS}, summary="Publish the proposed team")
def publish_team(request, project_id: int):
    project = project_for(request.user, project_id, need=Access.MANAGE)
    services.team_publish(project=project, actor=request.user)
    return _team_out(project, selectors.team(project), viewer=request.user)


@router.post("/{int:project_id}/team/places", response={201: TeamOut, **ERRORS}, summary="Add a named person")
def add_place(request, project_id: int, payload: PlaceIn):
    project = project_for(request.user, project_id, need=Access.MANAGE)
    services.place_add(project=project, actor=request.user, user=_person(payload.user_id), role=payload.role)
    return Status(201, _team_out(project, selectors.team(project), viewer=request.user))


@router.delete(
    "/{int:project_id}/team/places/{int:place_id}", response={200: TeamOut, **ERRORS}, summary="Take off the team"
)
def remove_place(request, project_id: int, place_id: int):
    project = project_for(request.user, project_id, need=Access.MANAGE)
    services.place_remove(project=project, actor=request.user, place_id=place_id)
    return _team_out(project, selectors.team(project), viewer=request.user)


@router.post(
    "/{int:project_id}/team/places/{int:place_id}/swap",
    response={200: TeamOut, **ERRORS},
    summary="Put a named person in this place",
)
def swap_place(request, project_id: int, place_id: int, payload: SwapIn):
    project = project_for(request.user, project_id, need=Access.MANAGE)
    services.place_swap(project=project, actor=request.user, place_id=place_id, user=_person(payload.user_id))
    return _team_out(project, selectors.team(project), viewer=request.user)


@router.post("/places/{int:place_id}/decline", response={200: PlaceOut | None, **ERRORS}, summary="Decline your place")
def decline_place(request, place_id: int):
    place = place_for(request.user, place_id)
    newcomer = services.place_decline(place=place, user=request.user)
    return _place_out(newcomer, viewer=request.user, managing=False) if newcomer else None


@router.put("/{int:project_id}/conflict", response={204: None, **ERRORS}, summary="Declare a conflict of interest")
def declare_conflict(request, project_id: int, payload: ConflictIn):
    project = project_for(request.user, project_id)
    services.conflict_declare(project=project, user=request.user, note=payload.note)
    return Status(204, None)


@router.delete("/{int:project_id}/conflict", response={204: None, **ERRORS})
def withdraw_conflict(request, project_id: int):
    project = project_for(request.user, project_id)
    services.conflict_withdraw(project=project, user=request.user)
    return Status(204, None)


@router.get("/{int:project_id}/milestones", response={200: list[MilestoneOut], **ERRORS})
def list_milestones(request, project_id: int):
    return project_for(request.user, project_id).milestones.all()


@router.post("/{int:project_id}/milestones", response={201: MilestoneOut, **ERRORS})
def create_milestone(request, project_id: int, payload: MilestoneIn):
    project = project_for(request.user, project_id, need=Access.MANAGE)
    owner = None
    if payload.owner_id is not None:
        owner = User.objects.filter(pk=payload.owner_id).first()
        if owner is None:
            raise Http404(_("No such person."))
    milestone = services.milestone_create(
        project=project, actor=request.user, title=payload.title, owner=owner, due=payload.due
    )
    return Status(201, milestone)


@router.patch("/milestones/{int:milestone_id}", response={200: MilestoneOut, **ERRORS})
def update_milestone(request, milestone_id: int, payload: MilestonePatch):
    milestone = milestone_for(request.user, milestone_id)
    return services.milestone_transition(milestone=milestone, actor=request.user, to=payload.state)


@router.get("/{int:project_id}/outcomes", response={200: OutcomesOut, **ERRORS})
def get_outcomes(request, project_id: int):
    return _outcomes(project_for(request.user, project_id), request.user)


@router.put("/{int:project_id}/measures", response={200: OutcomesOut, **ERRORS}, summary="Process before/after")
def put_measures(request, project_id: int, payload: MeasuresIn):
    project = project_for(request.user, project_id)
    require_record(request.user, project, "measures")
    return _outcomes(services.measures_record(project=project, actor=request.user, **payload.dict()), request.user)


@router.put("/{int:project_id}/my-skills", response={200: OutcomesOut, **ERRORS}, summary="A mentee's skills")
def put_skills(request, project_id: int, payload: SkillsIn):
    project = project_for(request.user, project_id)
    require_record(request.user, project, "skills")
    services.skills_record(project=project, user=request.user, before=payload.before, after=payload.after)
    return _outcomes(project, request.user)


@router.put("/{int:project_id}/reflection", response={200: OutcomesOut, **ERRORS}, summary="A mentor's reflection")
def put_reflection(request, project_id: int, payload: ReflectionIn):
    project = project_for(request.user, project_id)
    require_record(request.user, project, "reflection")
    services.reflection_record(project=project, user=request.user, text=payload.text)
    return _outcomes(project, request.user)


@router.put("/{int:project_id}/satisfaction", response={200: OutcomesOut, **ERRORS})
def put_satisfaction(request, project_id: int, payload: SatisfactionIn):
    project = project_for(request.user, project_id)
    require_record(request.user, project, "satisfaction")
    return _outcomes(services.satisfaction_record(project=project, actor=request.user, **payload.dict()), request.user)


@router.get("/{int:project_id}/case-study", response={200: CaseStudyOut, **ERRORS})
def get_case_study(request, project_id: int):
    project = case_study_for(request.user, project_id)
    if not project.case_study_published and project.access < Access.VIEW:
        raise Http404(_("No such case study."))
    return _case_study_out(project, request.user)


@router.put(
    "/{int:project_id}/case-study/consent",
    response={200: ConsentOut, **ERRORS},
    summary="A mentee agrees (or not) to be named with their ratings in the case study",
)
def case_study_consent(request, project_id: int, payload: ConsentIn):
    project = project_for(request.user, project_id)
    place = services.case_study_consent_set(project=project, user=request.user, consent=payload.consent)
    return {"consent": place.case_study_consent}


@router.post("/{int:project_id}/case-study", response={200: CaseStudyOut, **ERRORS}, summary="Publish or withdraw")
def publish_case_study(request, project_id: int, payload: PublishIn):
    project = project_for(request.user, project_id, need=Access.MANAGE)
    return _case_study_out(
        services.case_study_publish(project=project, actor=request.user, publish=payload.publish), request.user
    )


@router.get(
    "/communities/{slug}/projects", response={200: list[ProjectOut], **ERRORS}, summary="A community's projects"
)
@paginate(Pagination)
def community_projects(request, slug: str):
    community = community_for(request.user, slug, need=Need.GUEST)
    return [_project_out(p) for p in selectors.community_projects(community).prefetch_related("communities")]
