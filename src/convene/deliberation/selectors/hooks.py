"""What `convene.core.hooks` finds by name in `deliberation.selectors`: home page, links, contexts, personal data."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from convene.communities.models import Membership
from convene.communities.permissions import Need, can
from convene.core.home import HomeItem

from .. import opinion_map
from ..models import PHASE_END_FIELD, Endorsement, JointResponse, OpinionRequest, Participant, Phase
from ..permissions import invited_ids
from .reports import LETTERS, TAKING_PART
from .voting import next_statement


def _my_responses(user, states):
    if not getattr(user, "is_authenticated", False):
        return JointResponse.objects.none()
    mine = Membership.objects.filter(user=user, role__in=TAKING_PART).values("community_id")
    return (
        JointResponse.objects.filter(state__in=states, communities__in=mine)
        .distinct()
        .select_related("community")
        .order_by("-created_at")
    )


def home_items(user) -> list:
    items = []
    for response in _my_responses(user, [Phase.GATHERING, Phase.ENDORSEMENT])[:20]:
        participant = Participant.objects.filter(response=response, user_key=response.user_key(user.pk)).first()
        url = reverse("deliberation:detail", args=[response.pk])
        if response.state == Phase.GATHERING:
            _next, remaining = next_statement(response, participant, rng=0)
            if remaining:
                items.append(
                    HomeItem(
                        title=ngettext(
                            "%(count)s statement to vote on: %(title)s",
                            "%(count)s statements to vote on: %(title)s",
                            remaining,
                        )
                        % {"count": remaining, "title": response.title},
                        url=reverse("deliberation:vote", args=[response.pk]),
                        kind=pgettext("home item", "Vote"),
                        when=response.gathering_ends,
                    )
                )
        elif not (participant and Endorsement.objects.filter(participant=participant).exists()):
            items.append(
                HomeItem(
                    title=_("Endorse or object: %(title)s") % {"title": response.title},
                    url=url,
                    kind=pgettext("home item", "Endorse"),
                    when=response.endorsement_ends,
                )
            )
    if getattr(user, "is_authenticated", False):
        coordinated = Membership.objects.filter(user=user, role="coordinator").values("community_id")
        for row in (
            OpinionRequest.objects.filter(community_id__in=coordinated, status="pending")
            .values("community__slug", "community__name")
            .annotate(n=Count("id"))
        ):
            items.append(
                HomeItem(
                    title=ngettext(
                        "%(count)s request for opinion to %(community)s",
                        "%(count)s requests for opinion to %(community)s",
                        row["n"],
                    )
                    % {"count": row["n"], "community": row["community__name"]},
                    url=reverse("deliberation:requests", args=[row["community__slug"]]),
                    kind=_("Request for opinion"),
                )
            )
    return items


def upcoming(user) -> list:
    items = []
    open_phases = list(PHASE_END_FIELD)
    for response in _my_responses(user, open_phases)[:20]:
        ends = response.phase_ends
        if ends:
            items.append(
                HomeItem(
                    title=_("%(phase)s ends: %(title)s")
                    % {"phase": response.get_state_display(), "title": response.title},
                    url=reverse("deliberation:detail", args=[response.pk]),
                    kind=_("Joint response"),
                    when=ends,
                )
            )
    return items


def community_links(user, community) -> list:
    if can(user, community, Need.GUEST) or community.is_public:
        return [(_("Joint responses"), reverse("deliberation:list", args=[community.slug]))]
    return []


def context_info(context: str) -> dict | None:
    if not isinstance(context, str) or not context.startswith("response:"):
        return None
    try:
        pk = int(context.split(":", 1)[1])
    except ValueError:
        return None
    response = JointResponse.objects.filter(pk=pk).first()
    if response is None:
        return None
    ids = invited_ids(response)
    invited = sorted(
        set(Membership.objects.filter(community_id__in=ids, role__in=TAKING_PART).values_list("user_id", flat=True))
    )
    groups: dict[str, list[int]] = {}
    if not response.anonymous:
        data = opinion_map.map_read(response)
        if data.get("participants"):
            users = dict(Participant.objects.filter(response=response, user__isnull=False).values_list("id", "user_id"))
            order = [g["id"] for g in data.get("groups", [])]
            for p in data["participants"]:
                if p["group"] is not None and p["id"] in users:
                    groups.setdefault(f"Group {LETTERS[order.index(p['group']) % 26]}", []).append(users[p["id"]])
    return {
        "title": response.title,
        "url": reverse("deliberation:detail", args=[response.pk]),
        "kind": "response",
        "community_ids": ids,
        "invited_user_ids": invited,
        "anonymous": response.anonymous,
        "groups": groups,
    }


def contexts_for(community) -> list[str]:
    return [
        f"response:{pk}"
        for pk in JointResponse.objects.filter(communities=community)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
    ]


def personal_data(user) -> dict:
    """Statements, votes and endorsements in non-anonymous responses (anonymous ones are not linked to you)."""
    parts = Participant.objects.filter(user=user).select_related("response")
    return {
        "joint_responses": [
            {
                "response": p.response.title,
                "statements": list(p.statements.values_list("text", flat=True)),
                "votes": [{"statement": t, "value": v} for t, v in p.votes.values_list("statement__text", "value")],
                "endorsement": p.endorsements.values_list("stance", flat=True).first(),
            }
            for p in parts
        ]
    }
