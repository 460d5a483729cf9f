"""Reads for projects, and the hooks other apps call (home, community tabs, insights, data download)."""

from __future__ import annotations

import re

from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from convene.accounts.models import User
from convene.communities.models import Membership, Role
from convene.communities.permissions import Need, can, rank_of, visible_communities
from convene.core.home import HomeItem
from convene.privacy.disclosure import Figure, exact, people_aggregate

from .models import (
    PLACE_LIVE,
    Consent,
    HelpRequest,
    HelpRequestState,
    MentoringOffer,
    Milestone,
    MilestoneState,
    PlaceRole,
    PlaceStatus,
    Project,
    ProjectConflict,
    ProjectState,
    TeamPlace,
)


def team(project: Project, *, statuses=PLACE_LIVE) -> QuerySet[TeamPlace]:
    return (
        project.places.filter(status__in=statuses)
        .select_related("user__profile", "mentor__user__profile")
        .order_by("role", "-score", "id")
    )


def project_page(project: Project) -> Project:
    """The project with what its page shows, fetched in a fixed number of queries."""
    return (
        Project.objects.filter(pk=project.pk)
        .select_related("lead_community", "help_request")
        .prefetch_related(
            "communities",
            "requesting_team__profile",
            Prefetch("milestones", queryset=Milestone.objects.select_related("owner__profile")),
        )
        .get()
    )


def community_projects(community) -> QuerySet[Project]:
    return Project.objects.filter(communities=community).select_related("lead_community").distinct()


def community_requests(community) -> QuerySet[HelpRequest]:
    return HelpRequest.objects.filter(community=community).select_related("requester__profile")


def community_offers(community) -> QuerySet[MentoringOffer]:
    members = Membership.objects.filter(community=community, role__in=(Role.MEMBER, Role.COORDINATOR)).values("user_id")
    return (
        MentoringOffer.objects.filter(user_id__in=members)
        .select_related("user__profile")
        .order_by("user__profile__display_name", "user__email")
    )


def published_case_studies() -> QuerySet[Project]:
    return (
        Project.objects.filter(case_study_published_at__isnull=False)
        .select_related("lead_community")
        .prefetch_related("communities")
        .order_by("-case_study_published_at")
    )


# ----------------------------------------------------------------------------- who may see whom
#
# A case study is readable by any logged-in person, outsiders included. It names a community only
# to people who may see that community (public, or one of theirs), and it names a team member or a
# milestone owner who came to the project through private communities only to members of one of
# those communities (docs/privacy.md).

# English msgids, translated where they are put on a page or in an API answer (`_(...)` at that point).
PRIVATE_COMMUNITY = gettext_noop("a private community")
PRIVATE_PERSON = gettext_noop("a member of a private community")
HIDDEN_SMALL = gettext_noop(
    "Hidden: fewer than 5 people — figures about small groups are never shown so that nobody can be singled out."
)


_STEP_MARK = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")
_INLINE_NUMBERS = re.compile(r"(?:^|\s)\d{1,2}[.)]\s+")


def process_steps(text: str) -> list[str]:
    """A process as its steps: one per line (list marks like "1." or "-" dropped), or, for a single line
    numbered inline ("1. download 2. copy"), one per number. A paragraph without steps stays one item."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(lines) == 1 and len(_INLINE_NUMBERS.findall(lines[0])) > 1:
        lines = [part.strip() for part in _INLINE_NUMBERS.split(lines[0]) if part.strip()]
    return [_STEP_MARK.sub("", line) for line in lines]


def seen_community_ids(viewer) -> set[int]:
    """The communities whose names the viewer may read: public ones and their own."""
    return set(visible_communities(viewer).values_list("pk", flat=True))


def community_names(communities, seen: set[int]) -> list[dict]:
    """Names of the communities the viewer may see, then one "a private community" for the rest."""
    shown = [{"name": c.name, "slug": c.slug} for c in communities if c.pk in seen]
    if any(c.pk not in seen for c in communities):
        shown.append({"name": _(PRIVATE_COMMUNITY), "slug": None})
    return shown


def hidden_people(project: Project, user_ids, *, viewer, seen: set[int]) -> set[int]:
    """Of ``user_ids``, the people the viewer may not see named on this project's case study.

    Hidden: someone (not the viewer) who belongs to at least one of the project's communities and
    only to ones the viewer may not see. Someone in none of them (a requesting team member) is
    not "from" a private community.
    """
    project_communities = set(project.communities.values_list("pk", flat=True)) | {project.lead_community_id}
    via: dict[int, set[int]] = {}
    for user_id, community_id in Membership.objects.filter(
        user_id__in=set(user_ids), community_id__in=project_communities
    ).values_list("user_id", "community_id"):
        via.setdefault(user_id, set()).add(community_id)
    me = getattr(viewer, "pk", None)
    return {uid for uid, ids in via.items() if uid != me and not (ids & seen)}


class Audience:
    """Who a case study is written for: anyone (the case study), the project's people, its coordinators."""

    PUBLIC = "public"
    TEAM = "team"
    COORDINATORS = "coordinators"


def _person(place: TeamPlace, hidden: set[int]) -> dict:
    named = place.user_id not in hidden
    return {
        "place": place,
        "user_id": place.user_id if named else None,
        "name": place.user.display_name if named else None,
        "label": place.user.display_name if named else _(PRIVATE_PERSON),
        "role": place.role,
        "is_lead": place.is_lead,
        "reflection": place.reflection if named else "",
        "consent": place.case_study_consent,
        "gains": None,  # filled in only where the mentee's own ratings may be shown
    }


@people_aggregate
def case_study(project: Project, *, viewer, audience: str = Audience.PUBLIC) -> dict:
    """The case study, written from the project record: problem, approach, team, results, gains.

    For ``Audience.PUBLIC`` (the case study page and API), private communities and their people are
    named only to their members; a mentee's own ratings appear only once they confirmed
    (``case_study_consent``) or to themselves. For the project's people (``TEAM``) every name is
    shown (they see the team on the project page) and ratings follow the same consent; coordinators
    (``COORDINATORS``) see every rating, as they evaluate the project.

    The mean gain is an aggregate over people: it is shown only when the mentees whose ratings are
    not shown one by one are none or at least five (``exact``), so that it never solves a hidden
    rating from the rows beside it.
    """
    places = list(team(project, statuses=(PlaceStatus.PUBLISHED,)))
    seen = seen_community_ids(viewer)
    milestones = list(project.milestones.select_related("owner__profile"))
    if audience == Audience.PUBLIC:
        ids = {p.user_id for p in places} | {m.owner_id for m in milestones if m.owner_id}
        hidden = hidden_people(project, ids, viewer=viewer, seen=seen)
    else:
        hidden = set()
    me = getattr(viewer, "pk", None)
    people = [_person(p, hidden) for p in places]
    rated = []
    for person in people:
        place = person["place"]
        gains = [g for g in place.skill_gains if g["gain"] is not None]
        if person["role"] != PlaceRole.MENTEE:
            continue
        own = place.user_id == me
        may = own or audience == Audience.COORDINATORS or place.case_study_consent == Consent.CONFIRMED
        if may and person["name"] is not None:
            person["gains"] = place.skill_gains
        if gains:
            rated.append((person["gains"] is not None and not own, [g["gain"] for g in gains]))
    not_shown = sum(1 for shown, _gains in rated if not shown)
    all_gains = [g for _shown, gains in rated for g in gains]
    mean_figure = exact(len(rated))
    mean_allowed = bool(all_gains) and (not_shown == 0 or exact(not_shown).shown)
    request = project.help_request
    communities = list(project.communities.all())
    return {
        "problem": request.process if request else "",
        "problem_steps": process_steps(request.process) if request else [],
        "team_name": request.team_name if request else project.requesting_contact,
        "goal": project.goal,
        "approach": project.approach,
        "milestones": [
            {
                "title": m.title,
                "state": m.state,
                "state_label": m.get_state_display(),
                "owner": (_(PRIVATE_PERSON) if m.owner_id in hidden else m.owner.display_name) if m.owner_id else "",
            }
            for m in milestones
        ],
        "communities": community_names(communities, seen)
        if audience == Audience.PUBLIC
        else community_names(communities, {c.pk for c in communities}),
        "mentors": [p for p in people if p["role"] == PlaceRole.MENTOR],
        "mentees": [p for p in people if p["role"] == PlaceRole.MENTEE],
        "any_hidden_person": bool(hidden & {p.user_id for p in places}),
        "before_minutes": project.before_minutes_per_run,
        "before_runs": project.before_runs_per_month,
        "after_minutes": project.after_minutes_per_run,
        "after_runs": project.after_runs_per_month,
        "hours_saved": project.hours_saved_per_year,
        "mean_gain": round(sum(all_gains) / len(all_gains), 1) if mean_allowed else None,
        "mean_gain_over": mean_figure,
        "mean_gain_note": _(HIDDEN_SMALL) if all_gains and not mean_allowed else "",
        "ratings_withheld": not_shown,
        "satisfaction": project.satisfaction,
        "satisfaction_comment": project.satisfaction_comment,
    }


def team_candidates(project: Project):
    """Who a coordinator may put on the team by hand: members and coordinators (not guests) of the
    project's communities, without a live place, a declared conflict or a declined place here."""
    community_ids = {project.lead_community_id, *project.communities.values_list("id", flat=True)}
    taken = project.places.filter(status__in=PLACE_LIVE).values("user_id")
    declined = project.places.filter(status=PlaceStatus.DECLINED).values("user_id")
    conflicted = ProjectConflict.objects.filter(project=project).values("user_id")
    return (
        User.objects.filter(
            memberships__community_id__in=community_ids,
            memberships__role__in=(Role.MEMBER, Role.COORDINATOR),
        )
        .exclude(pk__in=taken)
        .exclude(pk__in=declined)
        .exclude(pk__in=conflicted)
        .select_related("profile")
        .distinct()
        .order_by("profile__display_name", "email")
    )


def uncovered_skills(project: Project) -> list[str]:
    """Required skills that no mentor on the team (proposed or published) offers to teach."""
    mentors = project.places.filter(status__in=PLACE_LIVE, role=PlaceRole.MENTOR).values("user_id")
    taught = {
        s.lower()
        for teaches in MentoringOffer.objects.filter(user_id__in=mentors).values_list("teaches", flat=True)
        for s in teaches
    }
    return [s for s in project.required_skills if s.lower() not in taught]


def mentee_place(project: Project, user) -> TeamPlace | None:
    """The viewer's published mentee place on the project (who may decide about their ratings)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return project.places.filter(user=user, role=PlaceRole.MENTEE, status=PlaceStatus.PUBLISHED).first()


@people_aggregate
def matching_pool_size(pool) -> Figure:
    """How many members offered to mentor or be mentored: a group size that is not private (``exact``)."""
    return exact(len(pool))


def team_place_for_viewer(place: TeamPlace, *, viewer, managing: bool) -> dict:
    """What the viewer may read of a place: the matcher's priority tier, fit and explanation (which
    carries the person's opportunity count) only to coordinators and to the holder."""
    own = place.user_id == getattr(viewer, "pk", None)
    private = not (managing or own)
    return {
        "priority_tier": None if private else place.priority_tier,
        "score": None if private else place.score,
        "explanation": None if private else place.explanation,
    }


# ----------------------------------------------------------------------------- hooks


def home_items(user) -> list[HomeItem]:
    items = []
    places = TeamPlace.objects.filter(
        user=user,
        status__in=PLACE_LIVE,
        project__state__in=(ProjectState.PROPOSED, ProjectState.STAFFING),
    ).select_related("project")
    for place in places:
        words = {"role": place.get_role_display().lower(), "title": place.project.title}
        if place.status == PlaceStatus.PROPOSED:
            title = _("You are proposed as %(role)s for “%(title)s”") % words
        else:
            title = _("You are on the team as %(role)s for “%(title)s”") % words
        items.append(
            HomeItem(
                title=title,
                url=reverse("projects:detail", args=[place.project_id]),
                kind=_("Project place"),
                when=place.created_at,
                detail=_("You can still decline before the project starts."),
            )
        )
    for milestone in (
        Milestone.objects.filter(owner=user, project__state__in=(ProjectState.ACTIVE, ProjectState.STAFFING))
        .exclude(state=MilestoneState.DONE)
        .select_related("project")
    ):
        items.append(
            HomeItem(
                title=_("Milestone “%(title)s” on %(project)s")
                % {"title": milestone.title, "project": milestone.project.title},
                url=reverse("projects:detail", args=[milestone.project_id]),
                kind=_("Milestone"),
                detail=_("Due %(date)s") % {"date": date_format(milestone.due, _("d F Y"))} if milestone.due else "",
            )
        )
    for request in HelpRequest.objects.filter(requester=user, state=HelpRequestState.INFO_REQUESTED):
        items.append(
            HomeItem(
                title=_("A coordinator asked about your request “%(title)s”") % {"title": request.title},
                url=reverse("projects:request_detail", args=[request.pk]),
                kind=_("Help request"),
                when=request.decided_at,
            )
        )
    coordinated = Membership.objects.filter(user=user, role=Role.COORDINATOR).values("community_id")
    for request in HelpRequest.objects.filter(
        community_id__in=coordinated, state=HelpRequestState.SUBMITTED
    ).select_related("community"):
        items.append(
            HomeItem(
                title=_("Help request “%(title)s” for %(community)s")
                % {"title": request.title, "community": request.community.name},
                url=reverse("projects:request_detail", args=[request.pk]),
                kind=_("Help request"),
                when=request.created_at,
            )
        )
    return items


def community_links(user, community) -> list[tuple[str, str]]:
    links = []
    rank = rank_of(user, community)
    if rank >= Need.GUEST:
        links.append((_("Projects"), reverse("projects:community", args=[community.slug])))
    if getattr(user, "is_authenticated", False) and can(user, community, Need.VIEW):
        links.append((_("Ask for help"), reverse("projects:request_create", args=[community.slug])))
    if rank >= Need.COORDINATOR:
        links.append((_("Help requests"), reverse("projects:requests", args=[community.slug])))
        links.append((_("Mentoring offers"), reverse("projects:offers", args=[community.slug])))
    return links


def context_info(context: str) -> dict | None:
    if not isinstance(context, str) or not context.startswith("project:"):
        return None
    try:
        project = Project.objects.get(pk=int(context.split(":", 1)[1]))
    except (Project.DoesNotExist, ValueError):
        return None
    places = list(project.places.filter(status=PlaceStatus.PUBLISHED).values_list("user_id", "role"))
    return {
        "title": project.title,
        "url": reverse("projects:detail", args=[project.pk]),
        "kind": "project",
        "community_ids": sorted(project.communities.values_list("id", flat=True)),
        "invited_user_ids": sorted(uid for uid, _role in places),
        "anonymous": False,
        "groups": {
            "Mentors": sorted(uid for uid, role in places if role == "mentor"),
            "Mentees": sorted(uid for uid, role in places if role == "mentee"),
        },
    }


def contexts_for(community) -> list[str]:
    return [
        f"project:{pk}"
        for pk in Project.objects.filter(communities=community)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
        .distinct()
    ]


def my_projects(user) -> QuerySet[Project]:
    return (
        Project.objects.filter(
            Q(places__user=user, places__status__in=PLACE_LIVE) | Q(requesting_team=user) | Q(milestones__owner=user)
        )
        .distinct()
        .select_related("lead_community")
    )


def personal_data(user) -> dict:
    offer = MentoringOffer.objects.filter(user=user).first()
    return {
        "mentoring_offer": (
            {
                "role": offer.role,
                "teaches": offer.teaches,
                "wants": offer.wants,
                "hours_per_month": offer.hours_per_month,
                "max_projects": offer.max_projects,
            }
            if offer
            else None
        ),
        "help_requests": [
            {"id": r.pk, "title": r.title, "community": r.community.slug, "state": r.state}
            for r in HelpRequest.objects.filter(requester=user).select_related("community")
        ],
        "project_places": [
            {
                "project": p.project.title,
                "role": p.role,
                "status": p.status,
                "skills_before": p.skills_before,
                "skills_after": p.skills_after,
                "reflection": p.reflection,
            }
            for p in TeamPlace.objects.filter(user=user).select_related("project")
        ],
        "project_conflicts": [c.project.title for c in user.project_conflicts.select_related("project")],
    }
