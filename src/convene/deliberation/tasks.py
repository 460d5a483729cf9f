"""Background recompute of opinion maps (django-tasks).

With `CONVENE_MAP_IN_WORKER` on (the production default), votes ask for a recompute and a
worker (`convene db_worker`) computes the map and stores it keyed by revision; pages serve the
latest stored map. Off (development, tests), a page computes a stale map when it is read.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django_tasks import task

PENDING = "deliberation:map-pending:{}"


def map_in_worker() -> bool:
    return bool(getattr(settings, "CONVENE_MAP_IN_WORKER", False))


def request_map(response_id: int) -> None:
    """Enqueue one recompute per response at a time; the task clears the flag before computing,
    so votes arriving during a computation enqueue the next one."""
    if not map_in_worker():
        return
    if cache.add(PENDING.format(response_id), 1, timeout=300):
        recompute_map.enqueue(response_id)


@task()
def recompute_map(response_id: int) -> int:
    from .models import JointResponse
    from .selectors import map_data

    cache.delete(PENDING.format(response_id))
    response = JointResponse.objects.filter(pk=response_id).first()
    if response is None:
        return -1
    map_data(response, fresh=True)
    return JointResponse.objects.values_list("revision", flat=True).get(pk=response_id)
