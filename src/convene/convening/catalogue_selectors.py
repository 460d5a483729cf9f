"""Reads of a community's own activity catalogue (issue 18.19)."""

from __future__ import annotations

from django.http import Http404

from convene.communities.models import Community

from .catalogue_models import CommunityActivity
from .models import ActivityType


def community_catalogue(community: Community) -> list[dict]:
    """The community's catalogue as its members read it: shipped activities (or the community's
    version of them) and its own, each with whether it is hidden."""
    versions = {e.base_id: e for e in CommunityActivity.objects.filter(community=community, base__isnull=False)}
    rows = [
        {"base": a, "entry": versions.get(a.pk), "hidden": bool(versions.get(a.pk) and versions[a.pk].hidden)}
        for a in ActivityType.objects.filter(active=True).order_by("position", "name")
    ]
    rows += [
        {"base": None, "entry": e, "hidden": e.hidden}
        for e in CommunityActivity.objects.filter(community=community, base__isnull=True)
    ]
    return rows


def entry_in(community: Community, entry_id) -> CommunityActivity:
    """An entry of this community's catalogue, or 404."""
    try:
        return CommunityActivity.objects.select_related("base", "community").get(community=community, pk=int(entry_id))
    except (CommunityActivity.DoesNotExist, TypeError, ValueError):
        raise Http404("No such activity in this community's catalogue.") from None
