"""Demo joint response: the regional health board asks psychiatry and social work about a new
discharge rule. Idempotent: keyed on the request's organisation and the response's title.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from convene.accounts.models import User
from convene.communities.models import Community, Membership

from . import services
from .models import JointResponse, OpinionRequest, Phase, Statement

TITLE = "The 24-hour discharge letter rule"
VIEWS = [
    ("A discharge letter within a day would prevent people falling through the gap.", 0.8, 0.9),
    ("Twenty-four hours is too short to write a careful letter after a complex admission.", 0.7, 0.2),
    ("A phone call to the community team matters more than the letter itself.", 0.3, 0.9),
    ("The person leaving hospital should receive the same letter as the team.", 0.6, 0.8),
    ("Friday discharges should only happen when the community team has confirmed a visit.", 0.2, 0.85),
    ("We need one shared template for both services.", 0.75, 0.7),
    ("The rule will turn into a box-ticking exercise unless someone audits quality.", 0.6, 0.4),
    ("Social workers should be invited to discharge planning meetings.", 0.35, 0.95),
    ("Pharmacy must be part of the letter, not an attachment nobody reads.", 0.8, 0.5),
    ("The rule should be piloted on two wards before it applies everywhere.", 0.5, 0.55),
]


def load() -> str:
    psy = Community.objects.filter(slug="psychiatry").first()
    sw = Community.objects.filter(slug="social-work").first()
    coordinator = User.objects.filter(email="coordinator@example.org").first()
    if not (psy and sw and coordinator):
        return "deliberation: skipped (run the communities demo first)"
    if JointResponse.objects.filter(title=TITLE, community=psy).exists():
        return "deliberation: demo joint response already there"
    rng = random.Random(4)
    now = timezone.now()
    request = OpinionRequest.objects.create(
        community=psy,
        requester_name="Morgan Hale",
        organisation="Regional Health Board",
        contact="policy@health-board.example.org",
        question="How should the new rule that discharge letters reach the community team within 24 hours "
        "work in practice, and what would make it safe?",
        context="The board plans to apply the rule across the region next spring and wants practitioners' views.",
        deadline=(now + timedelta(days=45)).date(),
    )
    response = services.opinion_request_accept(
        opinion_request=request,
        actor=coordinator,
        title=TITLE,
        gathering_ends=now + timedelta(days=10),
        drafting_ends=now + timedelta(days=20),
        endorsement_ends=now + timedelta(days=30),
    )
    services.response_update(response=response, actor=coordinator, communities=[sw], perception_step=True)
    services.response_transition(response=response, actor=coordinator, to=Phase.GATHERING)
    statements = [services.statement_submit(response=response, user=coordinator, text=text) for text, _, _ in VIEWS]
    services.statement_mark_key(statement=statements[2], actor=coordinator, key=True)
    services.statement_mark_key(statement=statements[7], actor=coordinator, key=True)
    voters = Membership.objects.filter(community__in=[psy, sw], role="member").select_related("user", "community")
    for m in voters.order_by("user__email"):
        if rng.random() < 0.25:
            continue  # some members have not been heard yet
        share_index = 1 if m.community_id == sw.pk else 0
        for s, (_, p_psy, p_sw) in zip(statements, VIEWS, strict=True):
            if rng.random() < 0.2:
                continue
            p = (p_psy, p_sw)[share_index]
            roll = rng.random()
            value = 0 if roll < 0.1 else (1 if rng.random() < p else -1)
            services.vote_cast(response=response, user=m.user, statement_id=s.pk, value=value)
    first = voters.filter(community=sw).order_by("user__email").first()
    if first:
        services.statement_submit(
            response=response, user=first.user, text="Housing officers also need to know the discharge date."
        )
    n = Statement.objects.filter(response=response).count()
    return f"deliberation: request for opinion and joint response “{TITLE}” ({n} statements)"
