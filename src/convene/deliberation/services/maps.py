"""Asking for the opinion map: mark it stale, bring it up to date before it is read."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from .. import opinion_map
from ..models import JointResponse
from ..tasks import map_in_worker, request_map


def map_revision_bump(response_id: int) -> None:
    """Moderation and new accepted statements change the map: bump its cache key."""
    JointResponse.objects.filter(pk=response_id).update(revision=F("revision") + 1)
    transaction.on_commit(lambda: request_map(response_id))


def map_refresh(*, response: JointResponse, force: bool = False) -> None:
    """Bring the stored map up to the response's revision before a page reads it, or ask for that.

    With a map worker (CONVENE_MAP_IN_WORKER, production) a stale stored map stays as it is and
    the worker is asked for a recompute (readers get the latest stored map even if a few votes
    newer exist); without one (development, tests), or when no map is stored yet, or with
    `force`, the map is computed and stored here. Either way through `opinion_map`: compute, store.
    """
    current = JointResponse.objects.values_list("revision", flat=True).get(pk=response.pk)
    stored = opinion_map.stored_revision(response.pk)
    if stored is not None and stored == current and not force:
        return
    if stored is not None and map_in_worker() and not force:
        transaction.on_commit(lambda: request_map(response.pk))
        return
    opinion_map.map_recompute(response)
