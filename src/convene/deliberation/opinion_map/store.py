"""Store computed maps and the counters they are read with; the recompute a task or service runs."""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from convene.core.db import column_set

from ..models import JointResponse, MapCache, Statement
from .compute import map_compute


def map_recompute(response: JointResponse) -> dict:
    """Compute the map for the response's current revision and store it (the one way a map is made)."""
    revision, data, seconds = map_compute(response)
    map_store(response=response, revision=revision, data=data, seconds=seconds)
    return data


def statement_counts_refresh(*, response_id: int) -> int:
    """Recount every statement's agree / disagree / pass from the votes (the map worker's job).

    Returns the new map revision: votes in production do not bump it (see `vote_record`), so the
    worker does, once per recompute, before it reads the votes.
    """
    with transaction.atomic():
        JointResponse.objects.filter(pk=response_id).update(revision=F("revision") + 1)
        with connection.cursor() as cursor:
            cursor.execute(_COUNTS_REFRESH, [response_id])
        return JointResponse.objects.values_list("revision", flat=True).get(pk=response_id)


# One set-based statement (PostgreSQL and SQLite): only the statements whose counts moved are written.
_COUNTS_REFRESH = """
UPDATE deliberation_statement SET n_agree = c.a, n_disagree = c.d, n_pass = c.p
FROM (
    SELECT s.id AS id,
           SUM(CASE WHEN v.value = 1 THEN 1 ELSE 0 END) AS a,
           SUM(CASE WHEN v.value = -1 THEN 1 ELSE 0 END) AS d,
           SUM(CASE WHEN v.value = 0 THEN 1 ELSE 0 END) AS p
    FROM deliberation_statement s LEFT JOIN deliberation_vote v ON v.statement_id = s.id
    WHERE s.response_id = %s
    GROUP BY s.id
) AS c
WHERE deliberation_statement.id = c.id
  AND (deliberation_statement.n_agree <> c.a OR deliberation_statement.n_disagree <> c.d
       OR deliberation_statement.n_pass <> c.p)
"""


def map_store(*, response: JointResponse, revision: int, data: dict, seconds: float) -> None:
    """Store a freshly computed map (any web process may do it; the newest revision wins)."""
    with transaction.atomic():
        # Only the revision is read: the stored map is large JSON, not worth decoding to replace it.
        cache = MapCache.objects.select_for_update().filter(response=response).only("id", "revision").first()
        if cache is not None and cache.revision > revision:
            return
        fields = {"revision": revision, "data": data, "computed_at": timezone.now(), "seconds": seconds}
        if cache is not None:
            MapCache.objects.filter(pk=cache.pk).update(**fields)
        else:
            try:
                with transaction.atomic():
                    MapCache.objects.create(response=response, **fields)
            except IntegrityError:  # another process stored the first map meanwhile: newest revision wins
                MapCache.objects.filter(response=response, revision__lte=revision).update(**fields)
        extremity = {s["id"]: s["extremity"] for s in data.get("statements", [])}
        column_set(Statement._meta.db_table, "extremity", extremity, scope=("response_id", response.pk))
