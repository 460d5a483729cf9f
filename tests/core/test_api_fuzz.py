"""Schemathesis fuzzes every API operation from the live OpenAPI schema with every check it has
(the Python equivalent of `st run --checks all`), positive and negative examples, anonymously and
with a member's token. Any check failure fails the test, except the few listed in EXCEPTIONS.

Budget: MAX_EXAMPLES per operation and role; about 2 minutes on two cores.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks

from convene.wsgi import application

load_all_checks()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
schema.config.generation.update(modes=list(GenerationMode))

MAX_EXAMPLES = 4

# The one place for exceptions: check name -> reason. A check listed here is not run at all.
EXCEPTIONS: dict[str, str] = {
    # Stateful checks that replay a DELETE's target or need links between operations: the world
    # is rolled back after every example, so "the resource is still there" is expected.
    "use_after_free": "every example runs in its own rolled-back transaction; nothing is deleted for the next one",
    "ensure_resource_availability": "needs created resources to persist between examples (they are rolled back)",
}

CHECKS_RUN = [check for check in CHECKS.get_all() if check.__name__ not in EXCEPTIONS]


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """Requests run in-process inside the test's transaction; like Django's test client, stop the
    request signals from closing that connection (they would on PostgreSQL after a failed query)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _no_write_limit(request):
    """Thousands of examples write as one member within a minute: the per-caller write limit
    (tests/core/test_security.py tests it, and the schema documents its 429) would answer some of them instead of
    the route under test."""
    django_settings = request.getfixturevalue("settings")
    django_settings.CONVENE_API_WRITES_PER_MINUTE = 0


@pytest.fixture
def headers(world, role):
    from convene.accounts.services import api_token_create

    if role == "anonymous":
        return {}
    _, secret = api_token_create(user=world.users[role], name="fuzz", scope="write")
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.parametrize("role", ["anonymous", "member"])
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_keeps_every_check(case, role, headers):
    case.call_and_validate(headers=headers, checks=CHECKS_RUN)
