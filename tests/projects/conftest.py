"""A small Ignite-like community: a coordinator, an outside requester, mentors and mentees with offers."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from convene.communities.models import Role
from convene.projects import services

from ..factories import CommunityFactory, MembershipFactory, UserFactory


@dataclass
class Lab:
    community: object
    coordinator: object
    requester: object
    mentors: list = field(default_factory=list)
    mentees: list = field(default_factory=list)

    def request(self, **overrides):
        data = {
            "community": self.community,
            "requester": self.requester,
            "title": "Weekly bed-state report",
            "team_name": "Patient flow team",
            "process": "Copy ward counts from six spreadsheets, reconcile, email.",
            "minutes_per_run": 240,
            "runs_per_month": 4,
            "people_involved": 2,
            "done_looks_like": "The report builds itself in minutes.",
            "data_and_tools": "Excel exports",
            "contact": "Grace, flow@example.com",
        }
        data.update(overrides)
        return services.help_request_submit(**data)

    def staffed_project(self, **changes):
        project = services.help_request_accept(help_request=self.request(), actor=self.coordinator)
        services.project_update(
            project=project,
            actor=self.coordinator,
            required_skills=["python", "pandas"],
            learning_skills=["python", "pandas"],
            **changes,
        )
        return services.project_transition(project=project, actor=self.coordinator, to="staffing")


def make_lab(n_mentors: int = 3, n_mentees: int = 6) -> Lab:
    community = CommunityFactory(slug="ignite-lab", name="Ignite Lab")
    coordinator = UserFactory(email="lab.coordinator@example.com", name="Lab Coordinator")
    MembershipFactory(community=community, user=coordinator, role=Role.COORDINATOR)
    requester = UserFactory(email="flow.lead@example.com", name="Flow Lead")
    lab = Lab(community=community, coordinator=coordinator, requester=requester)
    for i in range(n_mentors):
        user = UserFactory(email=f"mentor{i}@example.com", name=f"Mentor {i}")
        MembershipFactory(community=community, user=user, role=Role.MEMBER)
        services.mentoring_offer_save(
            user=user, role="mentor", teaches=["python", "pandas"], hours_per_month=10, max_projects=2
        )
        lab.mentors.append(user)
    for i in range(n_mentees):
        user = UserFactory(email=f"mentee{i}@example.com", name=f"Mentee {i}")
        MembershipFactory(community=community, user=user, role=Role.MEMBER)
        services.mentoring_offer_save(user=user, role="mentee", wants=["python"], hours_per_month=8, max_projects=1)
        lab.mentees.append(user)
    return lab


@pytest.fixture
def lab(db) -> Lab:
    return make_lab()
