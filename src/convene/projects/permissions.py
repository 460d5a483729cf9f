"""Fetch-and-authorize helpers for projects. Views and API routes use only these.

Who may do what:

- a help request is seen by its requester and by the coordinators of the community it was sent to;
  only those coordinators triage it, only the requester answers a question or withdraws it;
- a project is seen by anyone in one of its communities (any role), by its team and by its
  requesting team; coordinators of any of its communities manage it;
- a published case study is readable by any logged-in person.

Things the caller may not know exist are 404; visible things they may not act on are 403.
"""

from __future__ import annotations

from enum import IntEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from convene.communities.models import Membership, Role
from convene.communities.permissions import Need, community_for

from .models import HelpRequest, Milestone, Project, TeamPlace

__all__ = [
    "Access",
    "Need",
    "case_study_for",
    "community_for",
    "help_request_for",
    "milestone_for",
    "place_for",
    "project_for",
    "project_access",
    "visible_projects",
]


class Access(IntEnum):
    NONE = 0
    CASE_STUDY = 1  # may read the published case study only
    VIEW = 2
    MANAGE = 3


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _require_login(user) -> None:
    if not _authenticated(user):
        raise PermissionDenied(_("Log in to continue."))


def _community_ids(user, *, coordinator: bool = False) -> set[int]:
    if not _authenticated(user):
        return set()
    qs = Membership.objects.filter(user=user)
    if coordinator:
        qs = qs.filter(role=Role.COORDINATOR)
    return set(qs.values_list("community_id", flat=True))


def project_access(user, project: Project) -> Access:
    if not _authenticated(user):
        return Access.NONE
    project_communities = set(project.communities.values_list("id", flat=True)) | {project.lead_community_id}
    if _community_ids(user, coordinator=True) & project_communities:
        return Access.MANAGE
    if (
        _community_ids(user) & project_communities
        or project.places.filter(user=user).exists()
        or project.requesting_team.filter(pk=user.pk).exists()
    ):
        return Access.VIEW
    if project.case_study_published:
        return Access.CASE_STUDY
    return Access.NONE


def visible_projects(user) -> QuerySet[Project]:
    if not _authenticated(user):
        return Project.objects.none()
    return Project.objects.filter(
        Q(communities__in=_community_ids(user)) | Q(places__user=user) | Q(requesting_team=user)
    ).distinct()


def project_for(user, project_id, *, need: Access = Access.VIEW) -> Project:
    _require_login(user)
    try:
        project = Project.objects.select_related("lead_community", "help_request").get(pk=int(project_id))
    except (Project.DoesNotExist, TypeError, ValueError):
        raise Http404(_("No such project.")) from None
    access = project_access(user, project)
    if access == Access.NONE:
        raise Http404(_("No such project."))
    if access < need:
        if access == Access.CASE_STUDY:
            raise Http404(_("No such project."))
        raise PermissionDenied(_("Only coordinators of this project's communities can do that."))
    project.access = access
    return project


def case_study_for(user, project_id) -> Project:
    """A project's case study: any logged-in person once published, the project's people before."""
    _require_login(user)
    try:
        project = Project.objects.select_related("lead_community", "help_request").get(pk=int(project_id))
    except (Project.DoesNotExist, TypeError, ValueError):
        raise Http404(_("No such case study.")) from None
    project.access = project_access(user, project)
    if project.access == Access.NONE:
        raise Http404(_("No such case study."))
    return project


def help_request_for(user, request_id, *, manage: bool = False, requester: bool = False) -> HelpRequest:
    """The requester and the community's coordinators see a request; `manage`/`requester` narrow it."""
    _require_login(user)
    try:
        help_request = HelpRequest.objects.select_related("community", "requester").get(pk=int(request_id))
    except (HelpRequest.DoesNotExist, TypeError, ValueError):
        raise Http404(_("No such help request.")) from None
    is_coordinator = help_request.community_id in _community_ids(user, coordinator=True)
    is_requester = help_request.requester_id == user.pk
    if not (is_coordinator or is_requester):
        raise Http404(_("No such help request."))
    if manage and not is_coordinator:
        raise PermissionDenied(_("Only the community's coordinators can triage a help request."))
    if requester and not is_requester:
        raise PermissionDenied(_("Only the person who asked can do that."))
    help_request.is_coordinator = is_coordinator
    help_request.is_requester = is_requester
    return help_request


def place_for(user, place_id) -> TeamPlace:
    """A team place, for the person who holds it (others may not act on it)."""
    _require_login(user)
    try:
        place = TeamPlace.objects.select_related("project").get(pk=int(place_id))
    except (TeamPlace.DoesNotExist, TypeError, ValueError):
        raise Http404(_("No such place.")) from None
    if place.user_id != user.pk:
        project_for(user, place.project_id)  # 404 for those who cannot see the project
        raise PermissionDenied(_("Only the person proposed for this place can decline it."))
    return place


def milestone_for(user, milestone_id) -> Milestone:
    """A milestone, for its owner or a manager of its project."""
    _require_login(user)
    try:
        milestone = Milestone.objects.select_related("project").get(pk=int(milestone_id))
    except (Milestone.DoesNotExist, TypeError, ValueError):
        raise Http404(_("No such milestone.")) from None
    project = project_for(user, milestone.project_id)
    if project.access < Access.MANAGE and milestone.owner_id != user.pk:
        raise PermissionDenied(_("Only the milestone's owner or a coordinator can change it."))
    milestone.project = project
    return milestone


def can_record(user, project: Project, part: str) -> bool:
    """Who may record which outcome: measures and satisfaction by coordinators and the requesting team,
    skills by a published mentee, the reflection by a published mentor."""
    if not _authenticated(user):
        return False
    manager = project_access(user, project) == Access.MANAGE
    if part in ("measures", "satisfaction"):
        return manager or project.requesting_team.filter(pk=user.pk).exists()
    role = {"skills": "mentee", "reflection": "mentor"}.get(part)
    return bool(role) and project.places.filter(user=user, role=role, status="published").exists()


def require_record(user, project: Project, part: str) -> None:
    if not can_record(user, project, part):
        raise PermissionDenied(
            {
                "measures": _("Only coordinators and the requesting team record the measures."),
                "satisfaction": _("Only the requesting team (or a coordinator for them) records satisfaction."),
                "skills": _("Only a mentee of this project records their skills."),
                "reflection": _("Only a mentor of this project writes a reflection."),
            }.get(part, _("You are not allowed to do that."))
        )
