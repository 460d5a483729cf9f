"""Fetch-and-authorize helpers for joint responses.

A response belongs to its host community and invites other communities (the boundary variant).
A person's rank on a response is their best rank in any invited community. A response is
hidden (404) from people who cannot see any invited community, and from guests unless its
`guests_can_read` setting is on or they took part in it (e.g. as a member before becoming a
guest); visible things the caller may not act on are 403.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from convene.communities.models import ROLE_RANK, Membership
from convene.communities.permissions import Need, _refusal
from convene.core.clients import client_address
from convene.core.db import unique_or_none
from convene.core.errors import Gone, RateLimited

from .models import JointResponse, OpinionRequest, Participant
from .shared_cache import rank_key, voting_facts


def invited_ids(response: JointResponse) -> list[int]:
    cached = getattr(response, "_invited_ids", None)
    if cached is None:
        cached = sorted({response.community_id, *response.communities.values_list("id", flat=True)})
        response._invited_ids = cached
    return cached


# A person's rank on a response is kept in the shared cache for RANK_SECONDS (one read instead of
# a membership query on every API vote), under `shared_cache.rank_key`. What can change it drops
# it at once (`ranks_forget`, connected in apps.py): a membership saved or deleted, communities
# invited to or dropped from a response.
RANK_SECONDS = 60


def response_rank(user, response: JointResponse, *, cached: int | None = None) -> int:
    """The person's best rank in the response's invited communities (0: none).

    `cached` is what the caller already read from the cache under `rank_key`, if anything."""
    if not getattr(user, "is_authenticated", False):
        return 0
    memo = getattr(user, "_response_rank", None)
    if memo is None:
        memo = user._response_rank = {}
    if response.pk not in memo:
        rank = cached if isinstance(cached, int) else None
        if rank is None:
            key = rank_key(response.pk, response.secret, user.pk)
            rank = cache.get(key)
            if rank is None:
                rank = _rank_read(user, response)
                cache.set(key, rank, timeout=RANK_SECONDS)
        memo[response.pk] = rank
    return memo[response.pk]


def _rank_read(user, response: JointResponse) -> int:
    # One query: the host community and the invited ones (unless already read) in the filter.
    known = getattr(response, "_invited_ids", None)
    invited = (
        Q(community_id__in=known)
        if known is not None
        else Q(community_id=response.community_id)
        | Q(
            community_id__in=JointResponse.communities.through.objects.filter(jointresponse_id=response.pk).values(
                "community_id"
            )
        )
    )
    roles = Membership.objects.filter(invited, user=user).values_list("role", flat=True)
    return max((ROLE_RANK[r] for r in roles), default=0)


def ranks_forget(*, user_ids=None, community_ids=None, response_ids=None) -> None:
    """Drop cached ranks: of these people on the responses of these communities (a membership
    changed), or of these communities' members on these responses (the invited communities
    changed). Now, and again after the current transaction commits."""
    responses = JointResponse.objects.all()
    if response_ids is not None:
        responses = responses.filter(pk__in=response_ids)
    if community_ids is not None and response_ids is None:
        responses = responses.filter(Q(community_id__in=community_ids) | Q(communities__in=community_ids))
    if user_ids is None:
        user_ids = set(Membership.objects.filter(community_id__in=community_ids).values_list("user_id", flat=True))
    keys = [rank_key(pk, secret, uid) for pk, secret in set(responses.values_list("pk", "secret")) for uid in user_ids]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


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


def guest_may_read(user, response: JointResponse) -> bool:
    """Whether a guest (best rank GUEST) may read the response: the setting, or they took part."""
    if response.guests_can_read:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return Participant.objects.filter(response=response, user_key=response.user_key(user.pk)).exists()


def can_read(user, response: JointResponse) -> bool:
    """What `response_for` lets through at Need.GUEST (for lists that must agree with the pages)."""
    rank = response_rank(user, response)
    if rank == Need.GUEST:
        return guest_may_read(user, response)
    return rank > Need.GUEST


def check(user, response: JointResponse, need: Need) -> None:
    rank = response_rank(user, response)
    if rank == 0 and need > Need.VIEW:
        if not getattr(user, "is_authenticated", False):
            raise PermissionDenied(_("Log in to continue."))
        if not response.community.is_public:
            raise Http404(_("No such joint response."))
    if rank < need:
        raise PermissionDenied(_refusal(need))


def _response_id(response_id) -> int:
    try:
        return int(response_id)
    except (TypeError, ValueError):
        raise Http404(_("No such joint response.")) from None


def response_for(user, response_id, *, need: Need = Need.GUEST) -> JointResponse:
    response = unique_or_none(JointResponse.objects.select_related("community").filter(pk=_response_id(response_id)))
    if response is None:
        raise Http404(_("No such joint response."))
    _authorize(user, response, need)
    return response


# The columns a vote and the next statement need, and all that authorization reads from the row
# (the host community's `is_public` is read only for someone with no rank, through the foreign
# key). In plain SQL through Django's cursor, as the vote's other fixed reads: building the ORM's
# select of all 31 columns of the response and its community cost the API vote more CPU than any
# other step (bench/vote_cpu.py). The other columns are deferred: reading one loads it.
VOTING_FIELDS = ("id", "community_id", "state", "anonymous", "guests_can_read", "secret", "revision")
# (in the model's field order, as `Model.from_db` takes the values)
_VOTING_ROW = (
    "SELECT id, community_id, state, anonymous, guests_can_read, secret, revision "
    "FROM deliberation_jointresponse WHERE id = %s"
)


# Set on a response loaded by `response_for_voting`: the `VotingFacts` the cache held for the
# voter. Its phase and revision were read in this request too, so `vote_cast` reads them no
# second time, and takes the pool and the participant from these facts.
VOTING_FACTS = "voting_facts"


def response_for_voting(user, response_id, *, need: Need = Need.MEMBER) -> JointResponse:
    """`response_for` for the API's vote and next-statement routes: the same authorization, on a
    response loaded with `VOTING_FIELDS` only, its phase and revision as of now, and the voter's
    cached facts read in one round trip (`VOTING_FACTS`)."""
    response_id = _response_id(response_id)
    if not 0 < response_id < 2**63:
        raise Http404(_("No such joint response."))
    with connection.cursor() as cursor:
        cursor.execute(_VOTING_ROW, [response_id])
        row = cursor.fetchone()
    if row is None:
        raise Http404(_("No such joint response."))
    pk, community_id, state, anonymous, guests_can_read, secret, revision = row
    # (SQLite answers booleans as 0 and 1)
    values = [pk, community_id, state, bool(anonymous), bool(guests_can_read), secret, revision]
    response = JointResponse.from_db(connection.alias, VOTING_FIELDS, values)
    if getattr(user, "is_authenticated", False):
        facts = voting_facts(response, user)
        response_rank(user, response, cached=facts.rank)
        setattr(response, VOTING_FACTS, facts)
    _authorize(user, response, need)
    return response


def _authorize(user, response: JointResponse, need: Need) -> None:
    rank = response_rank(user, response)
    if rank == 0 and not response.community.is_public:
        raise Http404(_("No such joint response."))
    if rank == Need.GUEST and not guest_may_read(user, response):
        raise Http404(_("No such joint response."))
    check(user, response, need)


def can_act(user, response: JointResponse, need: Need) -> bool:
    return response_rank(user, response) >= need


def opinion_request_for(community, request_id) -> OpinionRequest:
    try:
        found = OpinionRequest.objects.filter(community=community, pk=int(request_id)).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise Http404(_("No such request for opinion."))
    return found


def opinion_request_by_token(token: str) -> OpinionRequest:
    found = (
        OpinionRequest.objects.select_related("community", "response").filter(token=str(token)[:64]).first()
        if token
        else None
    )
    if found is None:
        raise Http404(_("No request for opinion has this tracking link."))
    ended = tracking_ended_at(found)
    if ended is not None and timezone.now() > ended + timedelta(days=settings.CONVENE_OPINION_TRACKING_DAYS):
        raise Gone(
            _("This tracking link has expired. Ask the community's coordinators for a new one."), code="link_expired"
        )
    return found


def tracking_ended_at(req: OpinionRequest):
    """When the tracking link's life started to run out: the response delivered or the request
    declined, or the link replaced after that; None while the request is still in progress."""
    ended = None
    if req.response is not None and req.response.delivered_at is not None:
        ended = req.response.delivered_at
    elif req.status == "declined":
        ended = req.decided_at
    if ended is not None and req.link_renewed_at is not None:
        ended = max(ended, req.link_renewed_at)
    return ended


REQUESTS_PER_HOUR = 5


def throttle(request) -> None:
    """At most REQUESTS_PER_HOUR requests for opinion per hour from one address (cache counter)."""
    limit = getattr(settings, "CONVENE_OPINION_REQUESTS_PER_HOUR", REQUESTS_PER_HOUR)
    ip = client_address(request)  # the client behind TRUSTED_PROXIES, not the proxy
    key = f"deliberation:opinion-requests:{ip}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=3600)
        count = 1
    if count > limit:
        raise RateLimited(_("Too many requests for opinion from your address: please try again in an hour."))
