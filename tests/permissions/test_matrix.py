"""Every URL pattern and API operation, checked against every role.

A route missing from tests/permissions/<app>.py fails `test_every_route_has_a_decision`.
The world is built once per (app, role) test; each case runs inside a savepoint that is rolled
back, so a POST or DELETE in one case cannot change what the next case sees.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from convene.api import api as ninja_api

from ..conftest import build_world
from . import ROLES, modules, setup_world

# Third-party routes with their own, well-tested access rules.
EXEMPT_NAMESPACES = {"admin"}
# allauth's sign-in, single sign-on and two-factor routes (tests/accounts/test_sso.py, test_mfa.py
# and tests/e2e/test_sso_journey.py drive them against real providers).
EXEMPT_PREFIXES = ("account_", "mfa_", "socialaccount_", "openid_connect_", "saml_", "api:", "django.")
APPS = [m.__name__.rsplit(".", 1)[-1] for m in modules()]


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


def _cases(app: str, kind: str):
    module = next(m for m in modules() if m.__name__.endswith(f".{app}"))
    return getattr(module, kind, [])


def test_every_route_has_a_decision():
    web = {c.route for app in APPS for c in _cases(app, "WEB")}
    api = {c.route for app in APPS for c in _cases(app, "API")}
    assert sorted(_web_routes() - web) == [], "web routes without a permission decision"
    assert sorted(_api_routes() - api) == [], "API operations without a permission decision"
    assert sorted(web - _web_routes()) == [], "decisions for routes that no longer exist"
    assert sorted(api - _api_routes()) == [], "decisions for API operations that no longer exist"


def _web_status(world, client, case) -> tuple[str, int]:
    url = reverse(case.route, kwargs=case.kwargs(world))
    data = case.data(world) if case.data else {}
    response = client.post(url, data) if case.method == "POST" else client.get(url)
    return f"{case.method} {url}", response.status_code, None


def _api_status(world, client, case):
    method, template = case.route.split(" ", 1)
    path = template.format(**case.kwargs(world))
    if case.extra.get("query"):
        path += "?" + urlencode(case.extra["query"])
    kwargs = {}
    if case.data is not None and case.extra.get("multipart"):
        kwargs = {"data": case.data(world)}  # the test client's default: multipart/form-data
    elif case.data is not None:
        kwargs = {"data": json.dumps(case.data(world)), "content_type": "application/json"}
    response = getattr(client, method.lower())(path, **kwargs)
    body = None
    if response.status_code >= 400:
        body = response.json()
    return f"{method} {path}", response.status_code, body


def _check(kind: str, app: str, role: str) -> None:
    world = build_world()
    setup_world(world)
    client = world.client(role)
    problems = []
    call = _web_status if kind == "WEB" else _api_status
    for case in _cases(app, kind):
        expected = case.expect[ROLES.index(role)]
        with transaction.atomic():
            try:
                label, status, body = call(world, client, case)
            except Exception as exc:  # noqa: BLE001 - report every case, then fail once
                problems.append(f"{case.route}: raised {exc!r}")
                transaction.set_rollback(True)
                continue
            transaction.set_rollback(True)
        if status != expected:
            problems.append(f"{label} as {role}: {status} != {expected} ({case.note})")
        elif body is not None and set(body) != {"detail", "code"}:
            problems.append(f"{label} as {role}: error body is not {{detail, code}}: {body}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("app", APPS)
def test_web_routes(db, app, role):
    _check("WEB", app, role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("app", APPS)
def test_api_routes(db, app, role):
    _check("API", app, role)


def test_admin_is_staff_only(client, db):
    assert client.get("/admin/").status_code == 302
    world = build_world()
    client.force_login(world.users["coordinator"])
    assert client.get("/admin/").status_code == 302  # coordinators are not site staff
