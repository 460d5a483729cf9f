"""The opinion map kept current by a worker task (CONVENE_MAP_IN_WORKER)."""

import pytest
from django.core.cache import cache

from convene.deliberation import selectors, services
from convene.deliberation.models import JointResponse, MapCache
from convene.deliberation.tasks import PENDING

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
    first = selectors.map_data(response)  # computed on read (worker mode off)
    settings.CONVENE_MAP_IN_WORKER = True
    cache.add(PENDING.format(response.pk), 1)  # a recompute is already queued: nothing new is enqueued
    services.vote_cast(response=response, user=b.members[0], statement_id=statements[0].pk, value=-1)
    assert JointResponse.objects.get(pk=response.pk).revision > MapCache.objects.get(response=response).revision
    stale = selectors.map_data(response)
    assert stale == first  # served from the store, not computed by the reader
    cache.delete(PENDING.format(response.pk))
