"""A boundary joint response between two communities with five members each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from convene.communities.models import Role
from convene.deliberation import services
from convene.deliberation.models import Phase

from ..factories import CommunityFactory, MembershipFactory, UserFactory

STATEMENTS = [
    "Twenty-four hours is enough time to write a good discharge letter.",
    "The new rule will make discharges safer.",
    "Letters should go to the person as well as to the team.",
    "Community teams cannot act on letters that arrive on Fridays.",
    "We need a shared template across both services.",
    "A phone call matters more than any letter.",
]


@dataclass
class Boundary:
    psy: object
    sw: object
    coordinator: object
    members: list  # five psychiatry members then five social-work members
    guest: object
    outsider: object

    def open_response(self, **options):
        response = services.response_create(
            community=self.psy,
            creator=self.coordinator,
            title="New discharge policy",
            what_changed="Discharge letters must now reach the community team within 24 hours.",
        )
        now = timezone.now()
        services.response_update(
            response=response,
            actor=self.coordinator,
            communities=[self.sw],
            gathering_ends=now + timedelta(days=7),
            drafting_ends=now + timedelta(days=14),
            endorsement_ends=now + timedelta(days=21),
            **options,
        )
        services.response_transition(response=response, actor=self.coordinator, to=Phase.GATHERING)
        response.refresh_from_db()
        return response

    def statement(self, response, text, by=None):
        return services.statement_submit(response=response, user=by or self.coordinator, text=text)

    def statements(self, response):
        """The six statements most tests vote on (see vote_pattern)."""
        return [self.statement(response, t) for t in STATEMENTS]


def build_boundary() -> Boundary:
    psy = CommunityFactory(slug="psy", name="Psychiatry")
    sw = CommunityFactory(slug="sw", name="Social Work")
    coordinator = UserFactory(email="coord@example.com", name="Cora Coordinator")
    MembershipFactory(community=psy, user=coordinator, role=Role.COORDINATOR)
    members = []
    for i in range(10):
        user = UserFactory(email=f"m{i}@example.com", name=f"Member {i}")
        MembershipFactory(community=psy if i < 5 else sw, user=user, role=Role.MEMBER)
        members.append(user)
    guest = UserFactory(email="g@example.com", name="Gus Guest")
    MembershipFactory(community=psy, user=guest, role=Role.GUEST)
    outsider = UserFactory(email="o@example.com", name="Olive Outsider")
    return Boundary(psy=psy, sw=sw, coordinator=coordinator, members=members, guest=guest, outsider=outsider)


@pytest.fixture
def boundary(db) -> Boundary:
    return build_boundary()


def vote_pattern(response, boundary, statements):
    """Psychiatry agrees with the first half, social work with the second: two clear groups."""
    half = len(statements) // 2
    for i, user in enumerate(boundary.members):
        for j, s in enumerate(statements):
            psy = i < 5
            value = 1 if (j < half) == psy else -1
            services.vote_cast(response=response, user=user, statement_id=s.pk, value=value)
