"""Every URL pattern and API operation, checked against every role.

A route missing from tests/permissions/<app>.py fails `test_every_route_has_a_decision`.
"""

from __future__ import annotations

import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from convene.api import api as ninja_api

from ..conftest import build_world
from . import ROLES, all_cases, setup_world

# Third-party routes with their own, well-tested access rules.
EXEMPT_NAMESPACES = {"admin"}
EXEMPT_PREFIXES = ("account_", "api:", "django.")


def _names(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{p.namespace}:" if p.namespace else ""
            if p.namespace in EXEMPT_NAMESPACES:
                continue
            yield from _names(p.url_patterns, prefix + ns)
        elif isinstance(p, URLPattern) and p.name:
            yield prefix + p.name


def _web_routes() -> set[str]:
    return {n for n in _names(get_resolver().url_patterns) if not n.startswith(EXEMPT_PREFIXES)}


def _api_routes() -> set[str]:
    schema = ninja_api.get_openapi_schema()
    return {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}


def test_every_route_has_a_decision():
    web = {c.route for c in all_cases("WEB")}
    api = {c.route for c in all_cases("API")}
    assert sorted(_web_routes() - web) == [], "web routes without a permission decision"
    assert sorted(_api_routes() - api) == [], "API operations without a permission decision"
    assert sorted(web - _web_routes()) == [], "decisions for routes that no longer exist"
    assert sorted(api - _api_routes()) == [], "decisions for API operations that no longer exist"


def _id(case):
    return f"{case.route}{'' if not case.note else ''}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", all_cases("WEB"), ids=_id)
def test_web_route(db, case, role):
    world = build_world()
    setup_world(world)
    client = world.client(role)
    url = reverse(case.route, kwargs=case.kwargs(world))
    data = case.data(world) if case.data else {}
    response = client.post(url, data) if case.method == "POST" else client.get(url)
    expected = case.expect[ROLES.index(role)]
    assert response.status_code == expected, f"{case.method} {url} as {role}: {response.status_code} != {expected}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", all_cases("API"), ids=_id)
def test_api_route(db, case, role):
    world = build_world()
    setup_world(world)
    client = world.client(role)
    method, template = case.route.split(" ", 1)
    path = template.format(**case.kwargs(world))
    kwargs = {}
    if case.data is not None:
        kwargs = {"data": json.dumps(case.data(world)), "content_type": "application/json"}
    response = getattr(client, method.lower())(path, **kwargs)
    expected = case.expect[ROLES.index(role)]
    assert response.status_code == expected, (
        f"{method} {path} as {role}: {response.status_code} != {expected}: {response.content[:300]!r}"
    )
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"detail", "code"}, body


def test_admin_is_staff_only(client, db):
    assert client.get("/admin/").status_code == 302
    world = build_world()
    client.force_login(world.users["coordinator"])
    assert client.get("/admin/").status_code == 302  # coordinators are not site staff
