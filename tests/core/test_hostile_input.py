"""Issue 17 point 2: no 500 from outside input. Each case failed before the fix (see docs/reliability.md)."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client

from convene.core.middleware import read_chunked_bodies
from convene.deliberation.models import OpinionRequest
from convene.wsgi import application


def _json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"detail", "code"}
    return body


def test_deeply_nested_json_is_a_400_in_the_api_format(db):
    body = "[" * 2000 + "]" * 2000  # 4 KB
    response = Client().post("/api/v1/communities", body, content_type="application/json")
    assert _json_error(response, 400)["code"] == "bad_request"
    nested_object = '{"a":' * 2000 + "1" + "}" * 2000
    response = Client().patch("/api/v1/communities/pub", nested_object, content_type="application/json")
    _json_error(response, 400)


def test_deep_json_with_a_control_character_is_still_a_400(db):
    body = "[" * 2000 + '"\\u0001"' + "]" * 2000  # the text guard parses it too
    response = Client().post("/api/v1/communities", body, content_type="application/json")
    _json_error(response, 400)


@pytest.mark.parametrize("body", ["[null,null]", '"a string"', "true", "1", "null"])
def test_a_body_that_is_not_an_object_is_refused(world, api, body):
    client = api("coordinator")
    response = client.client.patch("/api/v1/communities/pub", body, content_type="application/json", **client.headers)
    assert _json_error(response, 422)["code"] == "validation_error"


def test_true_is_not_a_vote(world, api):
    response = api("member").post("/deliberation/responses/1/votes", {"statement": 1, "value": True})
    body = _json_error(response, 422)
    assert any(err["loc"][-1] in {"value", "statement"} or "value" in err["loc"] for err in body["detail"])


@pytest.mark.parametrize(
    "path",
    ["/api/v1/nowhere", "/api/v1/communities/pub/members/abc", "/api/v1/deliberation/responses/x/map", "/api/v1/"],
)
def test_every_api_path_answers_json(world, api, path):
    response = Client().get(path)
    assert response["Content-Type"].startswith("application/json"), (path, response.status_code)
    assert response.status_code in (401, 404)


def test_an_unknown_method_answers_json_405(world):
    response = Client().generic("PUT", "/api/v1/communities/", "{}", content_type="application/json")
    body = _json_error(response, 405)
    assert body["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


@pytest.mark.parametrize("organisation", ["Board\nBcc: victim@example.com", "Board\r\nX: y", "Bo\x85ard", "A\tB"])
def test_control_characters_in_a_mail_header_field_are_refused_before_anything_is_saved(world, api, organisation):
    body = {
        "requester_name": "Ada",
        "organisation": organisation,
        "contact": "ada@board.example",
        "question": "Your view?",
        "deadline": (date.today() + timedelta(days=30)).isoformat(),
    }
    response = api("anonymous").post("/deliberation/communities/pub/opinion-requests", body)
    assert _json_error(response, 422)["code"] == "unprocessable"
    assert not OpinionRequest.objects.exists()
    assert mail.outbox == []


def test_a_session_or_response_title_is_one_line(world, api):
    response = api("member").post(
        "/deliberation/communities/pub/responses", {"title": "Title\nBcc: x@example.com", "kind": "development"}
    )
    assert response.status_code == 422, response.content


def test_chunked_bodies_are_read(world, api):
    """gunicorn de-chunks the body and sets wsgi.input_terminated; Django alone would read it as empty."""
    client = api("coordinator")
    secret = client.headers["HTTP_AUTHORIZATION"]
    body = json.dumps({"description": "Sent in chunks"}).encode()
    environ = {
        "REQUEST_METHOD": "PATCH",
        "PATH_INFO": "/api/v1/communities/pub",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.input_terminated": True,
        "wsgi.errors": io.StringIO(),
        "CONTENT_TYPE": "application/json",
        "HTTP_TRANSFER_ENCODING": "chunked",
        "HTTP_AUTHORIZATION": secret,
    }
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"] = status

    # As Django's test client does: the request must not close the test's connection (PostgreSQL runs the
    # test inside a transaction on that connection).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        out = b"".join(application(environ, start_response))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert seen["status"].startswith("200"), out[:300]
    world.public.refresh_from_db()
    assert world.public.description == "Sent in chunks"


def test_chunked_body_over_the_limit_is_a_413(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    seen = {}
    app = read_chunked_bodies(lambda environ, start_response: [b"reached"])
    environ = {"wsgi.input": io.BytesIO(b"x" * 50), "wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"}
    out = b"".join(app(environ, lambda status, headers: seen.setdefault("status", status)))
    assert seen["status"].startswith("413") and b"too_large" in out
