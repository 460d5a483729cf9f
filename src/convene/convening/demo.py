"""Demo sessions: a boundary engagement between psychiatry and social work (live, with turns, a
picker and breakout groups), a show-and-tell coming up in Ignite, and a held clinic with outcomes.

Idempotent: sessions are keyed on (host, title); everything below them is created only once.
"""

from __future__ import annotations

import random
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from convene.accounts.models import User
from convene.communities.models import Community, Role

from . import services
from .models import ActivityType, Candidate, Rsvp, Session, SessionInvitation, SessionState, Turn
from .services import ensure_catalogue


def _session(host, title, activity_slug, *, days, hour, tz, invited=(), **extra) -> tuple[Session, bool]:
    existing = Session.objects.filter(host=host, title=title).first()
    if existing:
        return existing, False
    coordinator = host.memberships.filter(role=Role.COORDINATOR).first().user
    local = (timezone.now() + timedelta(days=days)).astimezone(ZoneInfo(tz))
    start = local.replace(hour=hour, minute=0, second=0, microsecond=0, tzinfo=None)
    session = services.session_create(
        host=host,
        actor=coordinator,
        activity=ActivityType.objects.get(slug=activity_slug),
        title=title,
        starts_at=start,
        time_zone=tz,
        invited_communities=list(invited),
        **extra,
    )
    return session, True


def _force_past(session: Session, days: int) -> None:
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() - timedelta(days=days))
    session.refresh_from_db()


def load() -> str:
    ensure_catalogue()
    rng = random.Random(8)
    communities = {c.slug: c for c in Community.objects.filter(slug__in=["psychiatry", "social-work", "ignite"])}
    if len(communities) < 3:
        return "convening: demo communities missing, skipped"
    psych, social, ignite = communities["psychiatry"], communities["social-work"], communities["ignite"]
    amara = User.objects.get(email="coordinator@example.org")

    # 1. A live boundary engagement between psychiatry and social work
    live, created = _session(
        psych,
        "Discharge and referral: psychiatry meets community social work",
        "boundary-engagement",
        days=1,
        hour=14,
        tz="Europe/London",
        invited=[social],
        purpose="Understand how each side sees discharge, and agree one thing we can change together.",
        boundary_concern="People leave the ward with a plan the community team first hears about a week later.",
        place="Seminar room 2, City General Hospital",
        online_link="https://meet.example.org/discharge",
        capacity=30,
    )
    if created:
        services.invitation_add(session=live, actor=amara, community=psych)
        services.invitation_add(session=live, actor=amara, community=social)
        guest = User.objects.filter(email="guest@example.org").first()
        if guest:
            services.invitation_add(session=live, actor=amara, user=guest)
        live = services.session_transition(session=live, actor=amara, to=SessionState.INVITATIONS_SENT)
        invitations = list(live.invitations.select_related("user"))
        for inv in invitations:
            answer = rng.choices([Rsvp.YES, Rsvp.MAYBE, Rsvp.NO], weights=[7, 2, 1])[0]
            services.rsvp_set(session=live, user=inv.user, answer=answer)
        SessionInvitation.objects.filter(session=live, user__email="member03@example.org").update(
            needs="Step-free access, please; I use a wheelchair."
        )
        live = services.session_transition(session=live, actor=amara, to=SessionState.IN_PROGRESS)
        accepted = [i for i in live.invitations.select_related("user") if i.rsvp == Rsvp.YES]
        for inv in accepted[: max(2, len(accepted) - 3)]:
            services.attendance_mark(session=live, actor=amara, user=inv.user)
        social_coord = User.objects.filter(email="social.coordinator@example.org").first()
        if social_coord and live.invitations.filter(user=social_coord).exists():
            services.role_assign(session=live, actor=amara, user=social_coord, kind="facilitator")
        services.role_assign(session=live, actor=amara, user=amara, kind="facilitator")
        present = [i.user for i in live.invitations.filter(checked_in_at__isnull=False).select_related("user")]
        for user in rng.sample(present, k=min(6, len(present))):
            for _ in range(rng.randint(1, 3)):
                services.turn_give(session=live, actor=amara, user=user)
        for title, text in [
            ("Shared discharge checklist", "One page both teams fill in before a person leaves the ward."),
            ("Joint case review once a month", "Pick one recent discharge and walk through it together."),
            ("Glossary of our words", "Agree what we each mean by discharge, client and crisis."),
        ]:
            services.candidate_propose(session=live, user=amara, title=title, description=text)
        for inv in live.invitations.filter(checked_in_at__isnull=False).select_related("user"):
            for cand in Candidate.objects.filter(session=live):
                services.rating_set(
                    candidate=cand,
                    user=inv.user,
                    usefulness=rng.randint(2, 5),
                    commitment=rng.choice(["light", "light", "medium", "heavy"]),
                )
        services.note_add(session=live, author=amara, text="Both teams want to hear about discharge earlier.")
        services.groups_form(session=live, actor=amara, n_groups=3)

    # 2. An Ignite show-and-tell next week, with invitations out
    show, created = _session(
        ignite,
        "Show and tell: scripts that saved us an afternoon",
        "show-and-tell",
        days=9,
        hour=18,
        tz="America/Argentina/Buenos_Aires",
        online_link="https://meet.example.org/ignite",
        capacity=25,
    )
    if created:
        lucia = User.objects.get(email="ignite.coordinator@example.org")
        services.invitation_add(session=show, actor=lucia, community=ignite)
        show = services.session_transition(session=show, actor=lucia, to=SessionState.INVITATIONS_SENT)

    # 3. A problem-solving clinic already held, with outcomes and follow-up actions
    held, created = _session(
        psych,
        "Clinic: a difficult readmission",
        "problem-solving-clinic",
        days=1,
        hour=12,
        tz="Europe/London",
        place="Ward 7 day room",
    )
    if created:
        services.invitation_add(session=held, actor=amara, community=psych)
        held = services.session_transition(session=held, actor=amara, to=SessionState.INVITATIONS_SENT)
        held = services.session_transition(session=held, actor=amara, to=SessionState.IN_PROGRESS)
        services.outcome_add(session=held, actor=amara, text="Call the community team before, not after, discharge.")
        owner = User.objects.filter(email="member01@example.org").first() or amara
        if not held.invitations.filter(user=owner).exists():
            owner = amara
        services.follow_up_create(
            session=held,
            actor=amara,
            title="Add a 'community team called' box to the discharge form",
            owner=owner,
            due=(timezone.now() + timedelta(days=14)).date(),
        )
        services.follow_up_create(session=held, actor=amara, title="Share the case summary", owner=amara)
        held = services.session_transition(session=held, actor=amara, to=SessionState.HELD)
        _force_past(held, 6)
    n_turns = Turn.objects.count()
    return f"{Session.objects.count()} sessions, {n_turns} speaking turns"
