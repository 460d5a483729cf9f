"""What other apps find by name through `core/hooks.py`: community_links, turn_suggestions,
members_with_skill."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext as _

from convene.communities.models import (
    Community,
)
from convene.communities.permissions import Need, can

from .opportunities import Suggestion, rotation_suggestion
from .representation import members_qs


def community_links(user, community) -> list[tuple[str, str]]:
    if can(user, community, Need.MEMBER):
        return [(_("Insights"), reverse("insights:community", args=[community.slug]))]
    return []


def turn_suggestions(community, kind: str, eligible_user_ids: Iterable[int], limit: int = 3) -> list[Suggestion]:
    """Hook (core.hooks) for apps where a coordinator assigns a role: `rotation_suggestion`."""
    return rotation_suggestion(community, kind=kind, eligible_user_ids=eligible_user_ids, limit=limit)


def members_with_skill(community: Community, skill: str) -> list[int]:
    """User ids of members and coordinators whose profile lists a skill containing `skill`."""
    skill = " ".join(skill.split()).lower()[:60]
    return list(
        members_qs(community)
        .filter(user__profile__skills__name__icontains=skill)
        .values_list("user_id", flat=True)
        .distinct()
    )
