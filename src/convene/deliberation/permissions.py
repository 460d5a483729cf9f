"""Fetch-and-authorize helpers for joint responses.

A response belongs to its host community and invites other communities (the boundary variant).
A person's rank on a response is their best rank in any invited community. A response is
hidden (404) from people who cannot see any invited community; visible things the caller may
not act on are 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from convene.communities.models import ROLE_RANK, Membership
from convene.communities.permissions import Need, _refusal

from .models import JointResponse, OpinionRequest


def invited_ids(response: JointResponse) -> list[int]:
    cached = getattr(response, "_invited_ids", None)
    if cached is None:
        cached = sorted({response.community_id, *response.communities.values_list("id", flat=True)})
        response._invited_ids = cached
    return cached


def response_rank(user, response: JointResponse) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    cache = getattr(user, "_response_rank", None)
    if cache is None:
        cache = user._response_rank = {}
    if response.pk not in cache:
        roles = Membership.objects.filter(user=user, community_id__in=invited_ids(response)).values_list(
            "role", flat=True
        )
        cache[response.pk] = max((ROLE_RANK[r] for r in roles), default=0)
    return cache[response.pk]


def home_community(user, response: JointResponse):
    """The invited community a member takes part for: the host first, then the others by id."""
    memberships = {
        m.community_id: m
        for m in Membership.objects.filter(
            user=user, community_id__in=invited_ids(response), role__in=("member", "coordinator")
        ).select_related("community")
    }
    for cid in [response.community_id, *invited_ids(response)]:
        if cid in memberships:
            return memberships[cid].community
    return None


def check(user, response: JointResponse, need: Need) -> None:
    rank = response_rank(user, response)
    if rank == 0 and need > Need.VIEW:
        if not getattr(user, "is_authenticated", False):
            raise PermissionDenied("Log in to continue.")
        if not response.community.is_public:
            raise Http404("No such joint response.")
    if rank < need:
        raise PermissionDenied(_refusal(need))


def response_for(user, response_id, *, need: Need = Need.GUEST) -> JointResponse:
    try:
        response_id = int(response_id)
    except (TypeError, ValueError):
        raise Http404("No such joint response.") from None
    response = JointResponse.objects.select_related("community").filter(pk=response_id).first()
    if response is None:
        raise Http404("No such joint response.")
    if response_rank(user, response) == 0 and not response.community.is_public:
        raise Http404("No such joint response.")
    check(user, response, need)
    return response


def can_act(user, response: JointResponse, need: Need) -> bool:
    return response_rank(user, response) >= need


def opinion_request_for(community, request_id) -> OpinionRequest:
    try:
        found = OpinionRequest.objects.filter(community=community, pk=int(request_id)).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise Http404("No such request for opinion.")
    return found


def opinion_request_by_token(token: str) -> OpinionRequest:
    found = (
        OpinionRequest.objects.select_related("community", "response").filter(token=str(token)[:64]).first()
        if token
        else None
    )
    if found is None:
        raise Http404("No request for opinion has this tracking link.")
    return found


REQUESTS_PER_HOUR = 5


def throttle(request) -> None:
    """At most REQUESTS_PER_HOUR requests for opinion per hour from one address (cache counter)."""
    from django.conf import settings
    from django.core.cache import cache

    from .services import RateLimited

    limit = getattr(settings, "CONVENE_OPINION_REQUESTS_PER_HOUR", REQUESTS_PER_HOUR)
    ip = request.META.get("REMOTE_ADDR", "unknown")
    key = f"deliberation:opinion-requests:{ip}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=3600)
        count = 1
    if count > limit:
        raise RateLimited("Too many requests for opinion from your address: please try again in an hour.")
