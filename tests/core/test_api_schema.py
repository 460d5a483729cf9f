"""Issue 17 point 8: the OpenAPI schema tells the truth about bodies and status codes."""

from __future__ import annotations

import importlib
import inspect
from collections import Counter

from ninja import Schema

from convene.api import api

APPS = ("accounts", "communities", "convening", "deliberation", "insights", "projects", "core")


def test_schema_names_are_unique_across_apps():
    """ninja names a component by its class name: two classes of one name document one another's body."""
    names = Counter()
    for app in APPS:
        module = importlib.import_module(f"convene.{app}.api")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Schema) and cls.__module__ == module.__name__:
                names[cls.__name__] += 1
    assert [name for name, n in names.items() if n > 1] == []


def test_routes_document_their_own_bodies_and_the_middleware_answers():
    schema = api.get_openapi_schema()
    paths = schema["paths"]
    member = paths["/api/v1/communities/{slug}/members/{membership_id}"]["patch"]
    assert member["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/CommunityRoleIn")
    transition = paths["/api/v1/deliberation/responses/{response_id}/transition"]["post"]
    body = transition["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("/DeliberationTransitionIn")
    for operations in paths.values():
        for method, operation in operations.items():
            assert "503" in operation["responses"]
            if method in {"post", "put", "patch", "delete"}:
                assert {"413", "415", "429"} <= set(operation["responses"])
