"""Compare the stored (worker-computed) map of a response with a fresh single-process computation."""

import json
import sys

import django

django.setup()

from django.core.cache import cache as shared_cache  # noqa: E402

from convene.deliberation.models import JointResponse, MapCache  # noqa: E402
from convene.deliberation.opinion_map import map_compute  # noqa: E402
from convene.deliberation.tasks import PENDING  # noqa: E402

response = JointResponse.objects.get(pk=int(sys.argv[1]))
pending = shared_cache.get(PENDING.format(response.pk)) is not None  # a recompute is still queued
cache = MapCache.objects.filter(response=response).first()
revision, fresh, _ = map_compute(response)


def normalise(value):
    """JSON-equal form without timings (the only part of a map that may differ between runs)."""
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    return json.loads(json.dumps(value, default=str))


print(
    json.dumps(
        {
            "revision": revision,
            "cached_revision": cache.revision if cache else None,
            "equal": cache is not None and normalise(cache.data) == normalise(fresh),
            "groups": len(fresh.get("groups", [])),
            "pending": pending,
        }
    )
)
