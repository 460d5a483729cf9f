"""Seed a joint response in gathering with N voters (API tokens) and S accepted statements.

Run with DATABASE_URL and DJANGO_SETTINGS_MODULE set; prints one JSON line for the caller.
"""

import json
import sys
from datetime import timedelta

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.utils import timezone  # noqa: E402

from convene.accounts.models import ApiToken, User  # noqa: E402
from convene.communities.models import Community, Membership, Role  # noqa: E402
from convene.deliberation import services  # noqa: E402
from convene.deliberation.models import Statement  # noqa: E402


def main(voters: int, statements: int) -> None:
    password = make_password(None)
    a = Community.objects.create(name="Load A", slug="load-a", domain="load")
    b = Community.objects.create(name="Load B", slug="load-b", domain="load")
    coordinator = User.objects.create(email="load-coordinator@example.org", password=password)
    Membership.objects.create(community=a, user=coordinator, role=Role.COORDINATOR)
    Membership.objects.create(community=b, user=coordinator, role=Role.COORDINATOR)
    response = services.response_create(
        community=a, creator=coordinator, title="Load test response", what_changed="A synthetic change."
    )
    soon = timezone.now() + timedelta(days=7)
    services.response_update(
        response=response,
        actor=coordinator,
        communities=[b],
        gathering_ends=soon,
        drafting_ends=soon + timedelta(days=7),
        endorsement_ends=soon + timedelta(days=14),
    )
    services.response_transition(response=response, actor=coordinator, to="gathering")
    # Statements in bulk: seeding is set-up, not the code under test (votes are).
    Statement.objects.bulk_create(
        Statement(response=response, text=f"Synthetic statement number {i}", state="accepted")
        for i in range(statements)
    )
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # planner statistics, as a live database has them
    tokens = []
    for i in range(voters):
        user = User.objects.create(email=f"voter{i}@example.org", password=password)
        Membership.objects.create(community=a if i % 2 else b, user=user, role=Role.MEMBER)
        secret = f"cvn_load{i:06d}" + "x" * 30
        ApiToken.objects.create(user=user, name="load", prefix=secret[:10], key_hash=ApiToken.hash(secret))
        tokens.append(secret)
    coordinator_token = "cvn_loadcoordinator" + "y" * 30
    ApiToken.objects.create(
        user=coordinator, name="load", prefix=coordinator_token[:10], key_hash=ApiToken.hash(coordinator_token)
    )
    print(
        json.dumps(
            {
                "response": response.pk,
                "community": a.pk,
                "tokens": tokens,
                "coordinator_token": coordinator_token,
                "statements": list(Statement.objects.filter(response=response).values_list("pk", flat=True)),
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
