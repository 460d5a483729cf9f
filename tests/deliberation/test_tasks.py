"""The opinion map kept current by a worker task (CONVENE_MAP_IN_WORKER)."""

import time as clock

import pytest
from django.core.cache import cache
from django.utils import timezone
from django_tasks import default_task_backend

from convene.deliberation import opinion_map, services, tasks
from convene.deliberation.models import JointResponse, MapCache, Statement, Vote
from convene.deliberation.tasks import COMPUTED, PENDING, recompute_map, request_map

from .conftest import vote_pattern


@pytest.mark.django_db(transaction=True)
def test_votes_enqueue_a_recompute_that_stores_the_current_map(boundary, settings):
    settings.CONVENE_MAP_IN_WORKER = True  # the immediate task backend runs the task at enqueue
    b = boundary
    response = b.open_response()
    statements = b.statements(response)
    vote_pattern(response, b, statements)
    cache = MapCache.objects.get(response=response)
    assert cache.revision == JointResponse.objects.get(pk=response.pk).revision
    assert cache.data["groups"], "the worker computed groups"


@pytest.mark.django_db(transaction=True)
def test_readers_get_the_stored_map_while_the_worker_catches_up(boundary, settings):
    b = boundary
    response = b.open_response()
    statements = b.statements(response)
    vote_pattern(response, b, statements)
    services.map_refresh(response=response)  # computed before the read (worker mode off)
    first = opinion_map.map_read(response)
    settings.CONVENE_MAP_IN_WORKER = True
    cache.add(PENDING.format(response.pk), 1)  # a recompute is already queued: nothing new is enqueued
    revision = JointResponse.objects.get(pk=response.pk).revision
    counts = Statement.objects.values_list("n_agree", "n_disagree").get(pk=statements[0].pk)
    services.vote_cast(response=response, user=b.members[0], statement_id=statements[0].pk, value=-1)
    # In worker mode a vote touches no shared row: the counters and the revision wait for the worker.
    assert JointResponse.objects.get(pk=response.pk).revision == revision
    assert Statement.objects.values_list("n_agree", "n_disagree").get(pk=statements[0].pk) == counts
    services.map_refresh(response=response)  # worker mode: asks the worker, computes nothing
    stale = opinion_map.map_read(response)
    assert stale == first  # served from the store, not computed by the reader
    assert cache.get(PENDING.format(response.pk)) == 1

    recompute_map.call(response.pk)  # what the worker runs
    assert cache.get(PENDING.format(response.pk)) is None
    current = JointResponse.objects.get(pk=response.pk).revision
    assert current > revision
    assert MapCache.objects.get(response=response).revision == current
    recounted = Statement.objects.get(pk=statements[0].pk)
    votes = Vote.objects.filter(statement=statements[0])
    assert (recounted.n_agree, recounted.n_disagree, recounted.n_pass) == (
        votes.filter(value=1).count(),
        votes.filter(value=-1).count(),
        votes.filter(value=0).count(),
    )
    assert opinion_map.map_read(response) != first, "the worker's map includes the new vote"


def test_a_busy_conversation_is_recomputed_at_most_every_interval(settings):
    """After a recompute, the next one waits CONVENE_MAP_MIN_INTERVAL, or three times as long as
    the last one took; the vote that asked is still mapped (the task is deferred, not dropped)."""
    settings.CONVENE_MAP_IN_WORKER = True
    settings.CONVENE_MAP_MIN_INTERVAL = 3
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    response_id = 987654
    cache.delete(PENDING.format(response_id))
    try:
        cache.set(COMPUTED.format(response_id), (clock.time(), 2.0))  # the last recompute took 2 s
        request_map(response_id)
        request_map(response_id)  # pending already: not enqueued twice
        queued = [r for r in default_task_backend.results if r.args == [response_id]]
        assert len(queued) == 1
        wait = (queued[0].task.run_after - timezone.now()).total_seconds()
        assert 5 < wait <= 6  # 3 x 2 s beats the 3 s floor

        cache.delete(PENDING.format(response_id))
        cache.set(COMPUTED.format(response_id), (clock.time() - 60, 0.1))  # long ago: no wait
        clock.sleep(tasks.SEEN_FOR)  # a new burst: this process asks the shared cache again
        request_map(response_id)
        latest = [r for r in default_task_backend.results if r.args == [response_id]][-1]
        assert latest.task.run_after is None
    finally:
        cache.delete(PENDING.format(response_id))
        cache.delete(COMPUTED.format(response_id))
