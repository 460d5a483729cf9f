"""Redis down (issue 17.3): votes through the API and requests for opinion through the public
form keep working; the cache fails open (convene.core.cache), never a 500."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.cache import caches
from django.test import Client

from convene.deliberation.models import OpinionRequest, Vote

from ..conftest import ApiClient
from ..support import REDIS_DOWN


@pytest.fixture
def redis_down(settings):
    settings.CACHES = REDIS_DOWN  # a closed port: every cache call fails
    settings.CONVENE_API_WRITES_PER_MINUTE = 5
    yield caches["default"]


def test_votes_and_requests_for_opinion_work_with_redis_down(boundary, redis_down):
    b = boundary
    response = b.open_response()
    statement = b.statement(response, "Letters arrive late.")
    answer = ApiClient(b.members[0]).post(
        f"/deliberation/responses/{response.pk}/votes", {"statement": statement.pk, "value": "agree"}
    )
    assert answer.status_code == 200, answer.content
    assert Vote.objects.filter(statement=statement).count() == 1

    data = {
        "requester_name": "Ada",
        "organisation": "Board",
        "contact": "ada@board.example",
        "question": "Your view on the discharge rule?",
        "deadline": (date.today() + timedelta(days=9)).isoformat(),
    }
    page = Client().post("/c/psy/ask/", data)
    assert page.status_code == 302, page.status_code
    assert OpinionRequest.objects.filter(requester_name="Ada").count() == 1
