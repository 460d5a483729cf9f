"""Attacks on the projects surfaces: case studies, mentees' self-ratings, team places.

These are access rules more than statistics: the attacker reads the pages and the JSON as they
are served and tries to recover what is not theirs to see (a private community's name, a team
member from it, a mentee's ratings without consent, other people's opportunity counts). Where
a figure could be solved by arithmetic (a mean beside the individual rows), the attack is scored
with ``assert_no_better_than_guessing``.
"""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from convene.communities.models import Role
from convene.projects.models import Project, TeamPlace

from ..factories import CommunityFactory, MembershipFactory, UserFactory
from ..worlds import case_study_project, mentee_places
from .attacks import assert_no_better_than_guessing

pytestmark = pytest.mark.django_db

SECRET = "Hidden Harbour Circle"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _texts(client, project) -> list[str]:
    """Everything an attacker can read about a published case study."""
    pages = [
        client.get(f"/projects/{project.pk}/case-study/"),
        client.get("/case-studies/"),
        client.get(f"/api/v1/projects/{project.pk}/case-study"),
        client.get("/api/v1/projects/case-studies"),
    ]
    for response in pages:
        assert response.status_code == 200, response
    return [r.content.decode() for r in pages]


def _consent(place: TeamPlace, value: str = "confirmed") -> None:
    TeamPlace.objects.filter(pk=place.pk).update(case_study_consent=value)


@pytest.fixture
def boundary_project():
    """A boundary project between a public and a private community, delivered and published."""
    public = CommunityFactory(slug="open-lab", name="Open Lab")
    private = CommunityFactory(slug="hidden-harbour", name=SECRET, visibility="private")
    coordinator = UserFactory(email="coord@example.com", name="Cora Coordinator")
    MembershipFactory(community=public, user=coordinator, role=Role.COORDINATOR)
    insider = UserFactory(email="insider@example.com", name="Ines Insider")
    MembershipFactory(community=private, user=insider, role=Role.MEMBER)
    open_mentor = UserFactory(email="open.mentor@example.com", name="Otto Openmentor")
    MembershipFactory(community=public, user=open_mentor, role=Role.MEMBER)
    hidden_mentor = UserFactory(email="hidden.mentor@example.com", name="Halima Hiddenmentor")
    MembershipFactory(community=private, user=hidden_mentor, role=Role.MEMBER)
    project = Project.objects.create(
        title="Ward report",
        goal="Report in minutes",
        requesting_contact="ward@example.com",
        lead_community=private,
        state="evaluated",
        case_study_published_at=timezone.now(),
        before_minutes_per_run=120,
        before_runs_per_month=4,
        after_minutes_per_run=10,
        after_runs_per_month=4,
    )
    project.communities.set([public, private])
    TeamPlace.objects.create(project=project, user=open_mentor, role="mentor", status="published")
    TeamPlace.objects.create(
        project=project, user=hidden_mentor, role="mentor", status="published", reflection="Harbour days"
    )
    outsider = UserFactory(email="outsider@example.com", name="Olive Outsider")
    MembershipFactory(community=CommunityFactory(slug="own", name="Own Place"), user=outsider, role=Role.COORDINATOR)
    return {
        "project": project,
        "outsider": outsider,
        "insider": insider,
        "public_member": open_mentor,
        "hidden_mentor": hidden_mentor,
        "private": private,
    }


def test_outsider_reading_a_case_study_learns_no_private_community(boundary_project):
    for who in ("outsider", "public_member"):
        for text in _texts(_client(boundary_project[who]), boundary_project["project"]):
            assert SECRET not in text, who
            assert "hidden-harbour" not in text, who
            assert "Halima Hiddenmentor" not in text, who
            assert "Harbour days" not in text, who
    # the open community and its member stay readable
    page = (
        _client(boundary_project["outsider"])
        .get(f"/projects/{boundary_project['project'].pk}/case-study/")
        .content.decode()
    )
    assert "Open Lab" in page and "Otto Openmentor" in page
    # members of the private community see its name and its people
    texts = _texts(_client(boundary_project["insider"]), boundary_project["project"])
    assert SECRET in texts[0] and "Halima Hiddenmentor" in texts[0]
    assert "hidden-harbour" in texts[2]


def test_mentee_ratings_are_not_published_without_consent():
    community = CommunityFactory(slug="lab", name="Lab")
    project = case_study_project(community)
    places = mentee_places(project, community, [(1, 4), (2, 3)], "m")
    outsider = UserFactory(email="out@example.com", name="Olive Outsider")
    member = UserFactory(email="mem@example.com", name="Mo Member")
    MembershipFactory(community=community, user=member, role=Role.MEMBER)
    for viewer in (outsider, member):
        client = _client(viewer)
        page = client.get(f"/projects/{project.pk}/case-study/").content.decode()
        assert "from 1 to 4" not in page and "from 2 to 3" not in page
        assert "points higher" not in page and "point higher" not in page  # no mean over two people
        data = client.get(f"/api/v1/projects/{project.pk}/case-study").json()
        assert "skills_before" not in json.dumps(data) and '"gain"' not in json.dumps(data)
    # a mentee who confirms is published by name; the other stays out
    _consent(places[0])
    page = _client(outsider).get(f"/projects/{project.pk}/case-study/").content.decode()
    assert "from 1 to 4" in page and "from 2 to 3" not in page


def test_mean_gain_beside_consenting_mentees_does_not_give_away_the_others():
    """Complement arithmetic: four mentees consent, one does not; the mean over all five, beside the
    four published rows, would solve the fifth. Scored over many projects (targets)."""
    community = CommunityFactory(slug="lab", name="Lab")
    outsider = UserFactory(email="out@example.com", name="Olive Outsider")
    client = _client(outsider)
    guesses, truths = [], []
    for n in range(24):
        project = case_study_project(community, title=f"Project {n}")
        target_gain = (n * 7) % 4  # 0..3, spread over the targets
        ratings = [(1, 3), (2, 3), (1, 2), (2, 4), (1, 1 + target_gain)]
        places = mentee_places(project, community, ratings, f"p{n}-")
        for place in places[:4]:
            _consent(place)
        page = client.get(f"/projects/{project.pk}/case-study/").content.decode()
        published = [int(a) - int(b) for b, a in re.findall(r"from (\d) to (\d)", page)]
        mean = re.search(r"rated themselves ([\d.]+) point", page)
        guess = 0  # guess without looking: the most common gain
        if mean and len(published) == 4:
            guess = round(float(mean.group(1)) * 5 - sum(published))
        guesses.append(guess)
        truths.append(target_gain)
    assert_no_better_than_guessing(guesses, truths)


@pytest.fixture
def staffed():
    """A published team whose places carry the matcher's priority and opportunity counts."""
    community = CommunityFactory(slug="lab", name="Lab")
    coordinator = UserFactory(email="coord@example.com", name="Cora Coordinator")
    MembershipFactory(community=community, user=coordinator, role=Role.COORDINATOR)
    member = UserFactory(email="member@example.com", name="Mo Member")
    MembershipFactory(community=community, user=member, role=Role.MEMBER)
    project = Project.objects.create(
        title="Rota", goal="g", requesting_contact="c", lead_community=community, state="active"
    )
    project.communities.set([community])
    truths = {}
    for i in range(30):
        user = UserFactory(email=f"team{i}@example.com", name=f"Team {i}")
        MembershipFactory(community=community, user=user, role=Role.MEMBER)
        opportunities = (i * 5) % 4
        truths[user.pk] = opportunities
        TeamPlace.objects.create(
            project=project,
            user=user,
            role="mentor" if i % 3 == 0 else "mentee",
            status="published",
            priority_tier=opportunities + 1,
            score=0.5,
            explanation=f"teaches python; {opportunities} opportunities in the last 12 months "
            f"(priority {opportunities + 1}); 4 h/month; fit 0.50",
        )
    mine = TeamPlace.objects.create(
        project=project,
        user=member,
        role="mentee",
        status="published",
        priority_tier=2,
        explanation="wants to learn python; 1 opportunity in the last 12 months (priority 2); fit 0.40",
    )
    return {"project": project, "member": member, "coordinator": coordinator, "truths": truths, "mine": mine}


def _guess_opportunities(place: dict) -> int:
    found = re.search(r"(\d+) opportunit", place.get("explanation") or "")
    if found:
        return int(found.group(1))
    if place.get("priority_tier"):
        return place["priority_tier"] - 1
    return 0


def test_plain_member_cannot_read_other_peoples_opportunity_counts(staffed):
    project, truths = staffed["project"], staffed["truths"]
    client = _client(staffed["member"])
    team = client.get(f"/api/v1/projects/{project.pk}/team").json()["places"]
    others = [p for p in team if p["user_id"] != staffed["member"].pk]
    assert len(others) == len(truths)  # the team itself stays visible
    guesses = [_guess_opportunities(p) for p in others]
    assert_no_better_than_guessing(guesses, [truths[p["user_id"]] for p in others])
    for place in others:
        assert place["priority_tier"] is None and "opportunit" not in (place["explanation"] or "")
    # their own figures stay theirs to read
    own = next(p for p in team if p["user_id"] == staffed["member"].pk)
    assert own["priority_tier"] == 2 and "1 opportunity" in own["explanation"]
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "opportunities in the last 12 months" not in page
    assert client.get(f"/projects/{project.pk}/team/").status_code == 403
    # coordinators of the community see everyone's, as matching needs
    team = _client(staffed["coordinator"]).get(f"/api/v1/projects/{project.pk}/team").json()["places"]
    assert all(p["priority_tier"] is not None for p in team)
    page = _client(staffed["coordinator"]).get(f"/projects/{project.pk}/team/").content.decode()
    assert "opportunities in the last 12 months" in page
