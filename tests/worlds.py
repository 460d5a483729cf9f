"""Worlds more than one test directory builds: plain builders (not fixtures, not test modules),
wrapped in fixtures by the conftest.py files that use them, or called directly where a test needs
parameters."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from convene.communities.models import Role
from convene.deliberation import services
from convene.deliberation.models import JointResponse, Phase
from convene.projects.models import Project, TeamPlace

from .factories import CommunityFactory, MembershipFactory, UserFactory

# ----------------------------------------------------------------------------- a boundary joint response

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


def vote_pattern(response, boundary, statements):
    """Psychiatry agrees with the first half, social work with the second: two clear groups."""
    half = len(statements) // 2
    for i, user in enumerate(boundary.members):
        for j, s in enumerate(statements):
            psy = i < 5
            value = 1 if (j < half) == psy else -1
            services.vote_cast(response=response, user=user, statement_id=s.pk, value=value)


def gathering_response(community, *, title: str, what_changed: str, anonymous: bool = False):
    """A joint response of `community` alone, gathering for three more days (rows, no services)."""
    response = JointResponse.objects.create(
        community=community,
        title=title,
        what_changed=what_changed,
        state=Phase.GATHERING,
        gathering_ends=timezone.now() + timedelta(days=3),
        anonymous=anonymous,
    )
    response.communities.add(community)
    return response


def gathering_from_request(boundary, *, anonymous: bool = True, question: str = "Q?"):
    """A joint response accepted from a request for opinion to psychiatry (social work invited, the
    phase dates set), gathering, with four accepted statements by members 0-3; no votes yet:
    (request, response, statements)."""
    b = boundary
    request = services.opinion_request_submit(
        community=b.psy,
        requester_name="Ada Requester",
        organisation="Board",
        contact="ada@board.example",
        question=question,
        deadline=timezone.localdate() + timedelta(days=60),
    )
    now = timezone.now()
    response = services.opinion_request_accept(
        opinion_request=request, actor=b.coordinator, title="Asked of us", gathering_ends=now + timedelta(days=7)
    )
    services.response_update(
        response=response,
        actor=b.coordinator,
        communities=[b.sw],
        anonymous=anonymous,
        drafting_ends=now + timedelta(days=14),
        endorsement_ends=now + timedelta(days=21),
    )
    services.response_transition(response=response, actor=b.coordinator, to=Phase.GATHERING)
    response.refresh_from_db()
    request.refresh_from_db()
    statements = [b.statement(response, f"Statement number {i}", by=b.members[i]) for i in range(4)]
    for s in statements:
        services.statement_moderate(statement=s, actor=b.coordinator, decision="accept")
    return request, response, statements


# ----------------------------------------------------------------------------- an anonymous joint response

N_STATEMENTS = 10
SOLOS = 10
STANCES = ["endorse", "reservations", "object", "abstain"]


@dataclass
class AnonymousResponse:
    response: object
    coordinator: object
    member: object
    guest: object
    solos: list  # (community, user, took_part)
    votes: dict  # (user id, statement id) -> value
    stances: dict  # user id -> stance
    statements: list
    rejected: object
    order: list  # users in the order they first voted


def anonymous_response(*, stage: str = "gathering", perception: bool = False) -> AnonymousResponse:
    """The world of the anonymous-response attacks (see tests/privacy/test_anonymous_response.py)."""
    rng = random.Random(15)
    psy = CommunityFactory(slug="psy", name="Psychiatry")
    sw = CommunityFactory(slug="sw", name="Social Work")
    coordinator = UserFactory(email="coord@example.com", name="Cora Coordinator")
    MembershipFactory(community=psy, user=coordinator, role=Role.COORDINATOR)
    big = []
    for i in range(12):
        user = UserFactory(email=f"m{i}@example.com", name=f"Member {i}")
        MembershipFactory(community=psy if i < 6 else sw, user=user, role=Role.MEMBER)
        big.append(user)
    guest = UserFactory(email="g@example.com", name="Gus Guest")
    MembershipFactory(community=psy, user=guest, role=Role.GUEST)
    solos = []
    for i in range(SOLOS):
        community = CommunityFactory(slug=f"solo{i}", name=f"Solo {i}")
        user = UserFactory(email=f"s{i}@example.com", name=f"Solo Member {i}")
        MembershipFactory(community=community, user=user, role=Role.MEMBER)
        solos.append((community, user, i < 7))
    response = services.response_create(community=psy, creator=coordinator, title="Night rota", what_changed="x")
    now = timezone.now()
    services.response_update(
        response=response,
        actor=coordinator,
        communities=[sw, *[c for c, _, _ in solos]],
        anonymous=True,
        perception_step=perception,
        gathering_ends=now + timedelta(days=7),
        drafting_ends=now + timedelta(days=14),
        endorsement_ends=now + timedelta(days=21),
    )
    services.response_transition(response=response, actor=coordinator, to=Phase.GATHERING)
    response.refresh_from_db()
    statements = []
    for j in range(N_STATEMENTS):
        s = services.statement_submit(response=response, user=coordinator, text=f"Statement number {j}")
        services.statement_moderate(statement=s, actor=coordinator, decision="accept")
        statements.append(s)
    rejected = services.statement_submit(response=response, user=coordinator, text="Rejected: Dr Who drinks on shift")
    services.statement_moderate(statement=rejected, actor=coordinator, decision="reject", reason="Personal")
    voters = big + [u for _, u, took_part in solos if took_part]
    rng.shuffle(voters)
    votes = {}
    for user in voters:
        for s in statements:
            value = rng.choice([1, -1])
            services.vote_cast(response=response, user=user, statement_id=s.pk, value=value)
            votes[(user.pk, s.pk)] = value
    stances = {}
    if stage in ("endorsement", "delivered"):
        services.response_transition(response=response, actor=coordinator, to=Phase.DRAFTING)
        services.response_transition(response=response, actor=coordinator, to=Phase.ENDORSEMENT)
        for user in voters:
            stance = rng.choice(STANCES)
            reason = "Because" if stance in ("object", "reservations") else ""
            services.endorsement_cast(response=response, user=user, stance=stance, reason=reason)
            stances[user.pk] = stance
        if stage == "delivered":
            services.response_transition(response=response, actor=coordinator, to=Phase.DELIVERED)
    response.refresh_from_db()
    return AnonymousResponse(
        response, coordinator, big[0], guest, solos, votes, stances, statements, rejected, [coordinator, *voters]
    )


# ----------------------------------------------------------------------------- a published case study


def case_study_project(community, **fields) -> Project:
    """An evaluated project of `community` whose case study is published (mentees learn python)."""
    values = {
        "title": "Clinic letters",
        "goal": "g",
        "requesting_contact": "c",
        "lead_community": community,
        "state": "evaluated",
        "case_study_published_at": timezone.now(),
        "learning_skills": ["python"],
    }
    project = Project.objects.create(**{**values, **fields})
    project.communities.set([community])
    return project


def mentee_places(project, community, ratings, prefix: str, names=None) -> list[TeamPlace]:
    """One published mentee place per (before, after) python self-rating, each a member of `community`."""
    places = []
    for i, (before, after) in enumerate(ratings):
        name = names[i] if names else f"Mentee {prefix} {i}"
        email = f"{name.split()[0].lower()}@example.com" if names else f"{prefix}{i}@example.com"
        user = UserFactory(email=email, name=name)
        MembershipFactory(community=community, user=user, role=Role.MEMBER)
        places.append(
            TeamPlace.objects.create(
                project=project,
                user=user,
                role="mentee",
                status="published",
                skills_before={"python": before},
                skills_after={"python": after},
            )
        )
    return places
