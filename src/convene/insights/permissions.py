"""Who may see which insight. Built on `communities.permissions`; no view checks by hand.

- The community dashboard: members and coordinators (guests are visitors to one engagement).
  Members see the aggregate representation only; everything else is for coordinators.
- Voice, opportunities, the ledger, rotation suggestions, per-context views and the CSV export:
  coordinators of the community.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.utils.translation import gettext as _

from convene.communities.models import Community, Role
from convene.communities.permissions import Need, community_for, membership_of

from . import selectors


@dataclass(frozen=True)
class Viewer:
    community: Community
    is_coordinator: bool


def dashboard_for(user, slug: str) -> Viewer:
    """The community dashboard: 404 if the community is hidden from `user`, 403 below member."""
    community = community_for(user, slug, need=Need.MEMBER)
    membership = membership_of(user, community)
    return Viewer(community, bool(membership and membership.role == Role.COORDINATOR))


def coordinated_community(user, slug: str) -> Community:
    """Pages that name people or show voice and opportunities: coordinators only."""
    return community_for(user, slug, need=Need.COORDINATOR)


def context_for(user, slug: str, context: str) -> tuple[Community, dict | None]:
    """A session/response/project of the community, for its coordinators.

    404 when the context is malformed, belongs to no app and has nothing recorded here, or is
    owned by an app that says it is not part of this community.
    """
    community = coordinated_community(user, slug)
    context = str(context)[:60]
    info = selectors.resolve_context(context) if selectors.valid_context(context) else None
    if not selectors.context_in_community(community, context, info):
        raise Http404(_("No such session, response or project in this community."))
    return community, info
