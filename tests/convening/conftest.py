"""Fixtures for convening: a boundary engagement between the world's public and private communities."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from convene.communities.models import Role
from convene.convening import services
from convene.convening.models import ActivityType

from ..factories import CommunityFactory, MembershipFactory, UserFactory


def future(days: int = 7, hours: int = 0):
    return timezone.now() + timedelta(days=days, hours=hours)


def person(email, community, *, role=Role.MEMBER, discipline="", organisation="", seniority="", name=None):
    user = UserFactory(email=email, name=name)
    profile = user.profile
    profile.discipline, profile.organisation, profile.seniority = discipline, organisation, seniority
    profile.save()
    if community is not None:
        MembershipFactory(community=community, user=user, role=role)
    return user


@pytest.fixture
def boundary(db):
    return ActivityType.objects.get(slug="boundary-engagement")


@pytest.fixture
def engagement(world, boundary):
    """A draft boundary engagement hosted by "pub" with "priv" invited."""
    return services.session_create(
        host=world.public,
        actor=world.users["coordinator"],
        activity=boundary,
        title="Referrals across the boundary",
        starts_at=future(),
        time_zone="Europe/London",
        capacity=10,
        boundary_concern="Referrals bounce between us.",
        invited_communities=[world.private],
    )


@pytest.fixture
def sent(world, engagement):
    """The engagement with both communities invited and invitations sent."""
    services.invitation_add(session=engagement, actor=world.users["coordinator"], community=world.public)
    services.invitation_add(session=engagement, actor=world.users["coordinator"], community=world.private)
    return services.session_transition(session=engagement, actor=world.users["coordinator"], to="invitations_sent")


@pytest.fixture
def crowd(world):
    """Twelve more people: six in each community, with mixed disciplines and seniority."""
    other = CommunityFactory(slug="third", name="Third Practice")
    people = []
    for n in range(12):
        community = world.public if n % 2 == 0 else world.private
        people.append(
            person(
                f"p{n}@example.com",
                community,
                discipline=["Nurse", "Social worker", "Psychiatrist"][n % 3],
                organisation=["North", "South"][n % 2],
                seniority=["early", "mid", "senior"][n % 3],
                name=f"Person {n:02d}",
            )
        )
    return {"people": people, "third": other}
