"""A small community with known profiles, answers, contributions and opportunities.

Numbers are chosen so that every rule shows: folded small categories, complementary
suppression, silent members, a guest whose contributions do not count, and an old period.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from convene.accounts.models import DiversityAnswer
from convene.communities.ledgers import contribution_record, opportunity_record
from convene.communities.models import Role
from convene.core import hooks

from ..factories import CommunityFactory, MembershipFactory, UserFactory

# (name, discipline, seniority, gender or None)
PEOPLE = [
    ("Ada", "Nurse", "early", "woman"),
    ("Bo", "nurse ", "early", "woman"),
    ("Cy", "Nurse", "mid", "man"),
    ("Di", "Nurse", "mid", "woman"),
    ("Ed", "Nurse", "senior", "man"),
    ("Fay", "Nurse", "senior", "woman"),
    ("Gus", "Doctor", "mid", "man"),
    ("Hal", "Doctor", "mid", "man"),
    ("Ivy", "Doctor", "senior", "woman"),
    ("Jo", "Doctor", "leader", None),
    ("Kit", "Pharmacist", "student", None),
    ("Lou", "", "", None),
]
# contributions in the last month per person index (others: zero)
SPOKE = {0: 6, 1: 3, 2: 3, 6: 1, 7: 1}
NOW = timezone.now()


@pytest.fixture
def eq(db):
    community = CommunityFactory(slug="equity", name="Equity Practice")
    coordinator = UserFactory(email="coord@example.com", name="Cora Coordinator")
    MembershipFactory(community=community, user=coordinator, role=Role.COORDINATOR)
    people = []
    for i, (name, discipline, seniority, gender) in enumerate(PEOPLE):
        user = UserFactory(email=f"{name.lower()}@example.com", name=name)
        profile = user.profile
        profile.discipline, profile.seniority = discipline, seniority
        profile.save()
        if gender:
            DiversityAnswer.objects.create(user=user, attribute="gender", value=gender)
        MembershipFactory(community=community, user=user, joined_at=NOW - dt.timedelta(days=30 * (i + 1)))
        people.append(user)
    # the coordinator has a profile too (discipline Nurse, no seniority)
    coordinator.profile.discipline = "Nurse"
    coordinator.profile.save()
    guest = UserFactory(email="visitor@example.com", name="Vic Visitor")
    MembershipFactory(community=community, user=guest, role=Role.GUEST)
    recent = NOW - dt.timedelta(days=3)
    for i, n in SPOKE.items():
        for _ in range(n):
            contribution_record(
                community=community, user=people[i], kind="turn", context="session:900", occurred_at=recent
            )
    contribution_record(community=community, user=guest, kind="comment", context="session:900", occurred_at=recent)
    # long ago: outside the default period
    contribution_record(
        community=community, user=people[11], kind="note", context="session:1", occurred_at=NOW - dt.timedelta(days=800)
    )
    opportunity_record(
        community=community, user=people[0], kind="facilitator", source="session:900", occurred_at=recent
    )
    opportunity_record(community=community, user=people[0], kind="speaker", source="session:901", occurred_at=recent)
    opportunity_record(
        community=community, user=people[1], kind="facilitator", source="session:902", occurred_at=recent
    )
    opportunity_record(
        community=community, user=people[2], kind="mentor", source="project:1", occurred_at=NOW - dt.timedelta(days=500)
    )
    return SimpleNamespace(community=community, coordinator=coordinator, people=people, guest=guest)


@pytest.fixture
def fake_contexts(monkeypatch):
    """Stand-in for the convening/deliberation/projects hooks: tests register contexts here."""
    registry: dict[str, dict] = {}
    fake = SimpleNamespace(
        context_info=lambda context: registry.get(context),
        contexts_for=lambda community: [c for c, i in registry.items() if community.pk in i["community_ids"]],
    )
    real = hooks._selector_modules()
    monkeypatch.setattr(hooks, "_selector_modules", lambda: (fake, *real))
    return registry


def near(figure, n: int) -> bool:
    """A protected figure is consistent with the true count ``n``: hidden only if ``n`` plus the
    noise (-2..+2) can fall under 5, otherwise a multiple of 5 within rounding of ``n``."""
    if figure.hidden:
        return n <= 6
    return figure.value % 5 == 0 and abs(figure.value - n) <= 4 and figure.approximate
