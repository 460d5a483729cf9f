"""Reads for projects, and the hooks other apps call (home, community tabs, insights, data download)."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse

from convene.communities.models import Membership, Role
from convene.communities.permissions import Need, can, rank_of
from convene.core.home import HomeItem

from .models import (
    PLACE_LIVE,
    HelpRequest,
    HelpRequestState,
    MentoringOffer,
    Milestone,
    MilestoneState,
    PlaceStatus,
    Project,
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
        .order_by("-case_study_published_at")
    )


def case_study(project: Project) -> dict:
    """The case study, written from the project record: problem, approach, team, results, gains."""
    places = list(team(project, statuses=(PlaceStatus.PUBLISHED,)))
    mentors = [p for p in places if p.role == "mentor"]
    mentees = [p for p in places if p.role == "mentee"]
    gains = [g["gain"] for p in mentees for g in p.skill_gains if g["gain"] is not None]
    request = project.help_request
    return {
        "problem": request.process if request else "",
        "team_name": request.team_name if request else project.requesting_contact,
        "goal": project.goal,
        "approach": project.approach,
        "milestones": list(project.milestones.select_related("owner__profile")),
        "communities": list(project.communities.all()),
        "mentors": mentors,
        "mentees": mentees,
        "before_minutes": project.before_minutes_per_run,
        "before_runs": project.before_runs_per_month,
        "after_minutes": project.after_minutes_per_run,
        "after_runs": project.after_runs_per_month,
        "hours_saved": project.hours_saved_per_year,
        "mean_gain": round(sum(gains) / len(gains), 1) if gains else None,
        "satisfaction": project.satisfaction,
        "satisfaction_comment": project.satisfaction_comment,
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
        word = "proposed" if place.status == PlaceStatus.PROPOSED else "on the team"
        items.append(
            HomeItem(
                title=f"You are {word} as {place.get_role_display().lower()} for “{place.project.title}”",
                url=reverse("projects:detail", args=[place.project_id]),
                kind="Project place",
                when=place.created_at,
                detail="You can still decline before the project starts.",
            )
        )
    for milestone in (
        Milestone.objects.filter(owner=user, project__state__in=(ProjectState.ACTIVE, ProjectState.STAFFING))
        .exclude(state=MilestoneState.DONE)
        .select_related("project")
    ):
        items.append(
            HomeItem(
                title=f"Milestone “{milestone.title}” on {milestone.project.title}",
                url=reverse("projects:detail", args=[milestone.project_id]),
                kind="Milestone",
                detail=f"Due {milestone.due:%d %B %Y}" if milestone.due else "",
            )
        )
    for request in HelpRequest.objects.filter(requester=user, state=HelpRequestState.INFO_REQUESTED):
        items.append(
            HomeItem(
                title=f"A coordinator asked about your request “{request.title}”",
                url=reverse("projects:request_detail", args=[request.pk]),
                kind="Help request",
                when=request.decided_at,
            )
        )
    coordinated = Membership.objects.filter(user=user, role=Role.COORDINATOR).values("community_id")
    for request in HelpRequest.objects.filter(
        community_id__in=coordinated, state=HelpRequestState.SUBMITTED
    ).select_related("community"):
        items.append(
            HomeItem(
                title=f"Help request “{request.title}” for {request.community.name}",
                url=reverse("projects:request_detail", args=[request.pk]),
                kind="Help request",
                when=request.created_at,
            )
        )
    return items


def community_links(user, community) -> list[tuple[str, str]]:
    links = []
    rank = rank_of(user, community)
    if rank >= Need.GUEST:
        links.append(("Projects", reverse("projects:community", args=[community.slug])))
    if getattr(user, "is_authenticated", False) and can(user, community, Need.VIEW):
        links.append(("Ask for help", reverse("projects:request_create", args=[community.slug])))
    if rank >= Need.COORDINATOR:
        links.append(("Help requests", reverse("projects:requests", args=[community.slug])))
        links.append(("Mentoring offers", reverse("projects:offers", args=[community.slug])))
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
        "invited_user_ids": sorted(uid for uid, _ in places),
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
