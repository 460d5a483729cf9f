"""Read the stored map: readers never compute or write (`services.map_refresh` brings it up to date)."""

from __future__ import annotations

from ..models import MapCache


def map_read(response) -> dict:
    """The latest stored map of the response, or {} when none has been computed yet."""
    stored = MapCache.objects.filter(response_id=response.pk).first()
    return stored.data if stored is not None else {}


def stored_revision(response_id: int) -> int | None:
    """The revision of the stored map (only that column: the map itself is large JSON), or None."""
    return MapCache.objects.filter(response_id=response_id).values_list("revision", flat=True).first()
