"""A joint response with a crowd of participants (20 or 2,000) in three opinion camps, for the map tests.

Participants and votes are bulk-created (2,000 people through `vote_cast` would take minutes); the
map is then computed the one way maps are made (`services.map_refresh`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from convene.communities.models import Role
from convene.deliberation import services
from convene.deliberation.models import JointResponse, Participant, Phase, Vote

from ...factories import CommunityFactory, MembershipFactory, UserFactory

AGREED = "Discharge letters should be written in plain language."  # every camp agrees: never a split
# What each camp thinks of the other statements: +1 agree, -1 disagree, 0 pass.
CAMP_VIEWS = {
    "Weekend discharges should wait until Monday.": (1, -1, -1),
    "The community team needs a phone call, not only a letter.": (-1, 1, 1),
    "Twenty-four hours is enough to write a safe letter.": (1, 1, -1),
    "A shared template would help both services.": (1, -1, 1),
    "The new rule adds paperwork without making anyone safer.": (-1, 1, -1),
    "Patients should get a copy of their discharge letter.": (1, 1, 1),
    "Social workers should be invited to the discharge meeting.": (-1, 1, 0),
}


@dataclass
class Crowd:
    response: JointResponse
    viewer: object  # a member of the host community (may see the map)
    coordinator: object
    statements: dict  # text -> Statement
    n: int
    community_names: tuple


def crowd(n: int, *, anonymous: bool = False, noise: float = 0.1, seed: int = 18) -> Crowd:
    rng = random.Random(seed)
    psy = CommunityFactory(slug="psy", name="Psychiatry Network")
    sw = CommunityFactory(slug="sw", name="Social Work Circle")
    coordinator = UserFactory(email="cora@example.com", name="Cora Coordinator")
    MembershipFactory(community=psy, user=coordinator, role=Role.COORDINATOR)
    viewer = UserFactory(email="vera@example.com", name="Vera Viewer")
    MembershipFactory(community=psy, user=viewer, role=Role.MEMBER)
    response = services.response_create(
        community=psy, creator=coordinator, title="Discharge letters", what_changed="Letters within 24 hours."
    )
    now = timezone.now()
    services.response_update(
        response=response,
        actor=coordinator,
        communities=[sw],
        anonymous=anonymous,
        gathering_ends=now + timedelta(days=7),
        drafting_ends=now + timedelta(days=14),
        endorsement_ends=now + timedelta(days=21),
    )
    services.response_transition(response=response, actor=coordinator, to=Phase.GATHERING)
    response.refresh_from_db()
    statements = {}
    for text in [*CAMP_VIEWS, AGREED]:
        s = services.statement_submit(response=response, user=coordinator, text=text)
        if s.state != "accepted":
            services.statement_moderate(statement=s, actor=coordinator, decision="accept")
        statements[text] = s
    camps = [0 if i % 10 < 5 else 1 if i % 10 < 8 else 2 for i in range(n)]  # 50 %, 30 %, 20 %
    people = Participant.objects.bulk_create(
        Participant(
            response=response,
            user_key=f"crowd-{i}",
            community=psy if camps[i] == 0 or (camps[i] == 2 and i % 2) else sw,
        )
        for i in range(n)
    )
    votes = []
    for person, camp in zip(people, camps, strict=True):
        for text, s in statements.items():
            value = 1 if text == AGREED else CAMP_VIEWS[text][camp]
            if text != AGREED and rng.random() < noise:
                value = rng.choice([1, -1, 0])
            votes.append(Vote(response=response, participant=person, statement=s, value=value))
    Vote.objects.bulk_create(votes, batch_size=2000)
    JointResponse.objects.filter(pk=response.pk).update(revision=response.revision + 1)
    services.map_refresh(response=response, force=True)
    response.refresh_from_db()
    return Crowd(
        response=response,
        viewer=viewer,
        coordinator=coordinator,
        statements=statements,
        n=n,
        community_names=(psy.name, sw.name),
    )
