"""Schemathesis fuzzes every API operation from the live OpenAPI schema (bounded examples).

No response may be a 5xx, and every response must match the schema it documents.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from convene.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

MAX_EXAMPLES = 12


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


@pytest.fixture
def tokens(world):
    from convene.accounts.services import api_token_create

    return {role: api_token_create(user=world.users[role], name="fuzz")[1] for role in ("member", "coordinator")}


@pytest.mark.parametrize("role", ["member", "coordinator"])
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_survives_fuzzing(case, role, tokens):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {tokens[role]}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
