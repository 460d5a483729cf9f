"""Attacks on the room preview and the invitation list (issue 15, finding 1).

A population of 40 people with known gender answers; the attacker adds or withdraws one person
(or watches one person accept) and differences the preview. Without disclosure control each
attack infers every target's answer; with it, no better than guessing.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from convene.accounts.models import DiversityAnswer
from convene.communities.models import Role
from convene.convening import selectors, services
from convene.convening.models import ActivityType, SessionInvitation

from ..conftest import ApiClient
from ..factories import CommunityFactory, MembershipFactory, UserFactory
from .attacks import assert_no_better_than_guessing

pytestmark = pytest.mark.django_db

C = "/convening"
ANSWERS = ["woman", "man", "woman", "non-binary", "man", "woman", "woman", "man"]  # 40 people: 20 / 15 / 5


@pytest.fixture
def crowd(db):
    victims = CommunityFactory(slug="victims", name="Victims Practice", visibility="public")
    people, truth = [], {}
    for n in range(40):
        user = UserFactory(email=f"v{n}@example.com", name=f"Victim {n:02d}")
        MembershipFactory(community=victims, user=user, role=Role.MEMBER)
        value = ANSWERS[n % len(ANSWERS)]
        DiversityAnswer.objects.create(user=user, attribute="gender", value=value)
        people.append(user)
        truth[user.pk] = value
    coordinator = UserFactory(email="vcoord@example.com", name="Victims Coordinator")
    MembershipFactory(community=victims, user=coordinator, role=Role.COORDINATOR)
    return {"community": victims, "people": people, "truth": truth, "coordinator": coordinator}


def _gender(part: dict) -> dict[str, int | None]:
    gender = next(d for d in part["diversity"] if d["key"] == "gender")
    return {r["value"]: (r["count"] if isinstance(r["count"], int) else None) for r in gender["rows"]}


def _guess(before: dict, after: dict) -> str:
    """The category whose figure grew the most (a hidden cell counts as 2); ties: the commonest."""

    def value(d, k):
        v = d.get(k)
        return 2 if v is None else v

    labels = [k for k in ("woman", "man", "non-binary")]
    growth = {k: value(after, k) - value(before, k) for k in labels}
    best = max(growth.values())
    if best <= 0:
        return "woman"
    return next(k for k in labels if growth[k] == best)


def _session(host, actor, invited=()):
    return services.session_create(
        host=host,
        actor=actor,
        activity=ActivityType.objects.get(slug="boundary-engagement" if invited else "open-discussion"),
        title="Curious session",
        starts_at=timezone.now() + timedelta(days=3),
        invited_communities=list(invited),
    )


def _outsider_session(crowd):
    """An outsider founds a community of their own and a draft session with the victims taking part."""
    outsider = UserFactory(email="curious@example.com", name="Curious Outsider")
    own = CommunityFactory(slug="own", name="Own Circle")
    MembershipFactory(community=own, user=outsider, role=Role.COORDINATOR)
    return outsider, _session(own, outsider, [crowd["community"]])


def test_outsider_adds_one_person_at_a_time_through_the_api(crowd):
    outsider, session = _outsider_session(crowd)
    client = ApiClient(outsider)
    people = crowd["people"]
    for p in people[:10]:
        assert client.post(f"{C}/sessions/{session.pk}/invitations", {"user_id": p.pk}).status_code == 201
    guesses, truths = [], []
    before = _gender(client.get(f"{C}/sessions/{session.pk}/preview").json()["invited"])
    for target in people[10:]:
        client.post(f"{C}/sessions/{session.pk}/invitations", {"user_id": target.pk})
        after = _gender(client.get(f"{C}/sessions/{session.pk}/preview").json()["invited"])
        guesses.append(_guess(before, after))
        truths.append(crowd["truth"][target.pk])
        before = after
    assert_no_better_than_guessing(guesses, truths)


def _web_gender(html: str) -> dict[str, int | None]:
    """The invited side's gender table of the preview page (numbers only; "fewer than 5" -> None)."""
    invited = html.split('id="acc-h"')[0]
    table = invited.split("<caption>Gender")[1].split("</table>")[0]
    out = {}
    for label, text in re.findall(r"<td><bdi>([^<]+)</bdi></td><td class=\"num\">([^<]+)</td>", table):
        number = re.search(r"\d+", text.replace("< 5", "").replace("fewer than 5", ""))
        out[label] = int(number.group()) if number else None
    return out


def test_coordinator_withdraws_one_invitation_on_the_web(crowd, client):
    coordinator = crowd["coordinator"]
    session = _session(crowd["community"], coordinator, [])
    services.invitation_add(session=session, actor=coordinator, community=crowd["community"])
    client.force_login(coordinator)
    preview_url = f"/sessions/{session.pk}/preview/"
    full = _web_gender(client.get(preview_url).content.decode())
    guesses, truths = [], []
    for target in crowd["people"]:
        invitation = SessionInvitation.objects.get(session=session, user=target)
        response = client.post(f"/sessions/{session.pk}/invitations/{invitation.pk}/remove/")
        assert response.status_code == 302
        without = _web_gender(client.get(preview_url).content.decode())
        guesses.append(_guess(without, full))
        truths.append(crowd["truth"][target.pk])
        services.invitation_add(session=session, actor=coordinator, user=target)
    assert_no_better_than_guessing(guesses, truths)


def test_complement_arithmetic_against_the_total(crowd):
    """Nine women and one target: total minus the shown cells would give the target's answer."""
    coordinator = crowd["coordinator"]
    women = [p for p in crowd["people"] if crowd["truth"][p.pk] == "woman"][:9]
    guesses, truths = [], []
    for target in [p for p in crowd["people"] if p not in women]:
        session = _session(crowd["community"], coordinator)
        for p in [*women, target]:
            services.invitation_add(session=session, actor=coordinator, user=p)
        part = selectors.room_preview(session)["invited"]
        cells = _gender(part)
        shown = sum(v for v in cells.values() if v is not None)
        total = part["diversity_total"].value if hasattr(part["diversity_total"], "value") else part["total"]
        woman = cells.get("woman")
        guesses.append("woman" if woman is not None and woman >= 10 and total - shown <= 0 else "man")
        truths.append(crowd["truth"][target.pk])
    assert_no_better_than_guessing(guesses, truths)


def test_snapshot_before_and_after_one_person_accepts(crowd):
    coordinator = crowd["coordinator"]
    session = _session(crowd["community"], coordinator)
    services.invitation_add(session=session, actor=coordinator, community=crowd["community"])
    session = services.session_transition(session=session, actor=coordinator, to="invitations_sent")
    for p in crowd["people"][:10]:
        services.rsvp_set(session=session, user=p, answer="yes")
    guesses, truths = [], []
    before = _gender(selectors.room_preview(session)["accepted"])
    for target in crowd["people"][10:]:
        services.rsvp_set(session=session, user=target, answer="yes")
        after = _gender(selectors.room_preview(session)["accepted"])
        guesses.append(_guess(before, after))
        truths.append(crowd["truth"][target.pk])
        before = after
    assert_no_better_than_guessing(guesses, truths)


def test_repeated_queries_give_identical_figures(crowd):
    outsider, session = _outsider_session(crowd)
    client = ApiClient(outsider)
    for p in crowd["people"][:12]:
        client.post(f"{C}/sessions/{session.pk}/invitations", {"user_id": p.pk})
    answers = [client.get(f"{C}/sessions/{session.pk}/preview").json() for _ in range(5)]
    assert all(a == answers[0] for a in answers)
    assert all(r["count"] is None or r["count"] % 5 == 0 for d in answers[0]["invited"]["diversity"] for r in d["rows"])


def test_outsider_cannot_invite_by_id_beyond_the_communities_taking_part(crowd):
    outsider = UserFactory(email="curious@example.com", name="Curious Outsider")
    own = CommunityFactory(slug="own", name="Own Circle")
    MembershipFactory(community=own, user=outsider, role=Role.COORDINATOR)
    session = _session(own, outsider)
    client = ApiClient(outsider)
    real = client.post(f"{C}/sessions/{session.pk}/invitations", {"user_id": crowd["people"][0].pk})
    missing = client.post(f"{C}/sessions/{session.pk}/invitations", {"user_id": 999999})
    assert real.status_code == missing.status_code == 400 and real.json() == missing.json()
    assert not session.invitations.exists()


def test_email_invitations_do_not_enumerate_accounts_or_count(crowd):
    outsider = UserFactory(email="curious@example.com", name="Curious Outsider")
    own = CommunityFactory(slug="own", name="Own Circle")
    MembershipFactory(community=own, user=outsider, role=Role.COORDINATOR)
    session = _session(own, outsider)
    client = ApiClient(outsider)
    known = client.post(f"{C}/sessions/{session.pk}/invitations", {"email": "v1@example.com"})
    unknown = client.post(f"{C}/sessions/{session.pk}/invitations", {"email": "nobody-here@example.com"})
    assert known.status_code == unknown.status_code == 201 and known.json() == unknown.json()
    assert client.get(f"{C}/sessions/{session.pk}/preview").json()["invited"]["total"] == 0
    rows = client.get(f"{C}/sessions/{session.pk}/invitations").json()["items"]
    assert [(r["user_id"], r["name"]) for r in rows] == [(None, "Invited by e-mail (pending)")] * 2


def test_guest_list_names_only_people_the_viewer_may_see(crowd):
    outsider, session = _outsider_session(crowd)
    client = ApiClient(outsider)
    for p in crowd["people"][:3]:
        client.post(f"{C}/sessions/{session.pk}/invitations", {"user_id": p.pk})
    rows = client.get(f"{C}/sessions/{session.pk}/invitations").json()["items"]
    assert all(r["user_id"] is None and "Victim 0" not in r["name"] for r in rows)
    # the invited community's coordinator co-hosts (issue 18.2): sees the list (its own members by
    # name) but never anyone's access and care needs, which stay with the host's coordinators
    cohost = ApiClient(crowd["coordinator"]).get(f"{C}/sessions/{session.pk}/invitations")
    assert cohost.status_code == 200 and all(r["needs"] == "" for r in cohost.json()["items"])
