"""Issue 17 point 3: failing parts degrade (Redis down, database unreachable), never an HTML 500."""

from __future__ import annotations

import logging

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import caches
from django.db import OperationalError
from django.test import Client

from convene.core import api as core_api
from convene.core import cache as fail_open
from convene.core import health, views

from ..factories import PASSWORD
from ..support import REDIS_DOWN


@pytest.fixture
def redis_down(settings):
    settings.CACHES = REDIS_DOWN
    yield caches["default"]


def test_with_redis_down_logins_and_api_writes_work_and_a_warning_is_logged(world, api, redis_down, caplog, settings):
    fail_open._last_warning[0] = float("-inf")
    user = world.users["member"]
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client = Client()
    with caplog.at_level(logging.WARNING, logger="convene.cache"):
        response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    assert "_auth_user_id" in client.session
    assert "rate limits are not enforced" in caplog.text
    settings.CONVENE_API_WRITES_PER_MINUTE = 5
    response = api("coordinator").patch("/communities/pub", {"description": "Still writable"})
    assert response.status_code == 200, response.content


def test_healthz_reports_each_dependency(db, client, redis_down):
    body = client.get("/healthz").json()
    assert body["status"] == "ok"  # the cache is not required: it fails open
    assert set(body["checks"]) == {"database", "cache", "task_queue"}
    assert body["checks"]["cache"]["ok"] is False


def test_healthz_is_503_when_the_database_is_down(db, client, monkeypatch):
    def broken():
        raise OperationalError("the database system is shutting down")

    with monkeypatch.context() as patch:  # undone before the test database is rolled back
        patch.setattr(health.connection, "cursor", broken)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["down"] == ["database"]


def test_an_unreachable_database_is_a_json_503_with_retry_after(world, api, monkeypatch):
    def broken(token):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(core_api, "token_for_secret", broken)  # the name TokenAuth calls
    response = api("member").get("/communities/pub")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "unavailable"
    assert int(response["Retry-After"]) > 0


def test_an_unreachable_database_on_a_page_is_a_503_not_a_500(world, monkeypatch):
    def broken(user):
        raise OperationalError("database is locked")

    monkeypatch.setattr(views, "visible_communities", broken)
    client = Client(raise_request_exception=False)
    response = client.get("/")
    assert response.status_code == 503 and response["Retry-After"]


def test_an_unexpected_error_under_the_api_is_json(world, api, monkeypatch):
    def broken(token):
        raise RuntimeError("boom")

    monkeypatch.setattr(core_api, "token_for_secret", broken)  # the name TokenAuth calls
    client = api("member")
    client.client.raise_request_exception = False
    response = client.get("/communities/pub")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
