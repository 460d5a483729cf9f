"""Convene's URLs plus the floor route, for bench/load.py only (bench/_floor_settings.py).

`POST /api/floor/responses/<id>/votes` authenticates the bearer token with Convene's own token
auth (core/api.py) and makes one INSERT (a voice-ledger row), nothing else: the ceiling for any
vote on this stack. It answers the vote route's JSON shape, offering the same statement again,
so the load client drives both routes alike. Under /api/ so that the same middleware runs.
"""

from __future__ import annotations

import os

from django.urls import path
from ninja import NinjaAPI, Schema

from convene.communities.models import Contribution
from convene.core.api import token_auth
from convene.urls import urlpatterns as convene_urlpatterns

COMMUNITY = int(os.environ.get("BENCH_FLOOR_COMMUNITY", "1"))
floor = NinjaAPI(title="floor", version="floor", urls_namespace="floor", auth=[token_auth], docs_url=None)


class VoteIn(Schema):
    statement: int
    value: int


@floor.get("/responses/{response_id}/next")
def next_statement(request, response_id: int, statement: int = 1):
    return {"statement": {"id": statement, "text": "floor"}, "remaining": 1}


@floor.post("/responses/{response_id}/votes")
def vote(request, response_id: int, payload: VoteIn):
    Contribution.objects.create(
        community_id=COMMUNITY, user=request.user, kind="vote", context=f"response:{response_id}"
    )
    following = {"statement": {"id": payload.statement, "text": "floor"}, "remaining": 1}
    return {"statement": payload.statement, "value": payload.value, "next": following}


urlpatterns = [path("api/floor/", floor.urls), *convene_urlpatterns]
