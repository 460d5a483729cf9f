"""Fetch-and-authorize helpers for communities. Every view and API route goes through these.

Hidden things are 404 (a private community does not reveal that it exists); visible things
the caller may not act on are 403.
"""

from __future__ import annotations

from enum import IntEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from .models import ROLE_RANK, Community, Membership, Role


class Need(IntEnum):
    VIEW = 0  # see the community's page (anyone if public, any membership if private)
    GUEST = 1
    MEMBER = 2
    COORDINATOR = 3


def membership_of(user, community: Community) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    cache = getattr(user, "_membership_cache", None)
    if cache is None:
        cache = user._membership_cache = {}
    if community.pk not in cache:
        cache[community.pk] = Membership.objects.filter(user=user, community=community).first()
    return cache[community.pk]


def rank_of(user, community: Community) -> int:
    membership = membership_of(user, community)
    return ROLE_RANK[membership.role] if membership else 0


def visible_communities(user) -> QuerySet[Community]:
    qs = Community.objects.all()
    if getattr(user, "is_authenticated", False):
        mine = Membership.objects.filter(user=user).values("community_id")
        return qs.filter(Q(visibility="public") | Q(pk__in=mine))
    return qs.filter(visibility="public")


def community_for(user, slug: str, *, need: Need = Need.VIEW) -> Community:
    community = Community.objects.filter(slug=str(slug)[:60]).first()
    if community is None:
        raise Http404(_("No such community."))
    rank = rank_of(user, community)
    if not community.is_public and rank == 0:
        raise Http404(_("No such community."))
    if rank < need:
        if need >= Need.MEMBER and rank == 0 and not getattr(user, "is_authenticated", False):
            raise PermissionDenied(_("Log in to continue."))
        raise PermissionDenied(_refusal(need))
    return community


def _refusal(need: Need) -> str:
    return {
        Need.GUEST: _("Only people taking part in this community can do that."),
        Need.MEMBER: _("Only members of this community can do that."),
        Need.COORDINATOR: _("Only coordinators of this community can do that."),
    }.get(need, _("You are not allowed to do that."))


def can(user, community: Community, need: Need) -> bool:
    rank = rank_of(user, community)
    if need == Need.VIEW:
        return community.is_public or rank > 0
    return rank >= need


def role_label(user, community: Community) -> str | None:
    membership = membership_of(user, community)
    return Role(membership.role).label if membership else None
