"""The opinion map kept current by a worker task (CONVENE_MAP_IN_WORKER)."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from convene.deliberation import opinion_map, services
from convene.deliberation.models import JointResponse, MapCache, Statement, Vote
from convene.deliberation.tasks import PENDING, recompute_map

from .conftest import vote_pattern
from .test_services import _statements


@pytest.mark.django_db(transaction=True)
def test_votes_enqueue_a_recompute_that_stores_the_current_map(boundary, settings):
    settings.CONVENE_MAP_IN_WORKER = True  # the immediate task backend runs the task at enqueue
    b = boundary
    response = b.open_response()
    statements = _statements(b, response)
    vote_pattern(response, b, statements)
    cache = MapCache.objects.get(response=response)
    assert cache.revision == JointResponse.objects.get(pk=response.pk).revision
    assert cache.data["groups"], "the worker computed groups"


@pytest.mark.django_db(transaction=True)
def test_readers_get_the_stored_map_while_the_worker_catches_up(boundary, settings):
    b = boundary
    response = b.open_response()
    statements = _statements(b, response)
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


@pytest.mark.django_db
def test_counts_refresh_recounts_from_the_votes(boundary):
    b = boundary
    response = b.open_response()
    statements = _statements(b, response)
    vote_pattern(response, b, statements)
    unvoted = b.statement(response, "Nobody has voted on this one yet.")
    other = b.statement(b.open_response(), "A statement of another response.")
    Statement.objects.filter(pk__in=[s.pk for s in [*statements, unvoted, other]]).update(
        n_agree=99, n_disagree=0, n_pass=7
    )  # drifted
    before = JointResponse.objects.get(pk=response.pk).revision
    assert opinion_map.statement_counts_refresh(response_id=response.pk) == before + 1
    for s in Statement.objects.filter(response=response):
        votes = list(Vote.objects.filter(statement=s).values_list("value", flat=True))
        assert (s.n_agree, s.n_disagree, s.n_pass) == (votes.count(1), votes.count(-1), votes.count(0))
    assert Statement.objects.get(pk=unvoted.pk).n_agree == 0
    other = Statement.objects.get(pk=other.pk)
    assert (other.n_agree, other.n_pass) == (99, 7), "another response's counters are not this refresh's business"


def test_a_busy_conversation_is_recomputed_at_most_every_interval(settings):
    """After a recompute, the next one waits CONVENE_MAP_MIN_INTERVAL, or three times as long as
    the last one took; the vote that asked is still mapped (the task is deferred, not dropped)."""
    import time as clock

    from django_tasks import default_task_backend

    from convene.deliberation import tasks
    from convene.deliberation.tasks import COMPUTED, request_map

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


@pytest.mark.django_db
def test_map_store_keeps_the_newest_revision_and_stores_extremities(boundary):
    b = boundary
    response = b.open_response()
    statements = _statements(b, response)
    vote_pattern(response, b, statements)
    data = opinion_map.map_recompute(response)
    stored = MapCache.objects.get(response=response)
    extremity = {s["id"]: s["extremity"] for s in data["statements"]}
    assert any(extremity.values()), "the map separates the groups on some statement"
    assert dict(Statement.objects.filter(response=response).values_list("id", "extremity")) == pytest.approx(extremity)

    older = {**data, "statements": [{**s, "extremity": 0.0} for s in data["statements"]]}
    opinion_map.map_store(response=response, revision=stored.revision - 1, data=older, seconds=0.1)
    assert MapCache.objects.get(response=response).data == data, "an older map never replaces a newer one"
    assert dict(Statement.objects.filter(response=response).values_list("id", "extremity")) == pytest.approx(extremity)

    opinion_map.map_store(response=response, revision=stored.revision + 1, data=older, seconds=0.1)
    replaced = MapCache.objects.get(response=response)
    assert (replaced.revision, replaced.data) == (stored.revision + 1, older)
    assert set(Statement.objects.filter(response=response).values_list("extremity", flat=True)) == {0.0}
