"""Attacks on the communities surfaces: glossary mappings between communities.

A term mapping links a term of one community to a term of another. Read by a guest or a member
of a public community, it must not reveal that a private community exists, nor its name, slug
or words, to someone who is not its member.
"""

from __future__ import annotations

import pytest
from django.test import Client

from convene.communities.models import Role, TermMapping

from ..factories import CommunityFactory, MembershipFactory, TermFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET = "Hidden Harbour Circle"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def mapped():
    public = CommunityFactory(slug="open-lab", name="Open Lab")
    other = CommunityFactory(slug="open-two", name="Open Two")
    private = CommunityFactory(slug="hidden-harbour", name=SECRET, visibility="private")
    people = {}
    for role in ("guest", "member", "coordinator"):
        people[role] = UserFactory(email=f"{role}@example.com", name=role.title())
        MembershipFactory(community=public, user=people[role], role=role)
    people["insider"] = UserFactory(email="insider@example.com", name="Ines Insider")
    MembershipFactory(community=public, user=people["insider"], role=Role.GUEST)
    MembershipFactory(community=private, user=people["insider"], role=Role.MEMBER)
    term = TermFactory(community=public, term="client")
    hidden = TermFactory(community=private, term="harbourling")
    visible = TermFactory(community=other, term="service user")
    TermMapping.objects.create(source=term, target=hidden, note="harbour note")
    TermMapping.objects.create(source=hidden, target=term, note="inbound harbour")
    TermMapping.objects.create(source=term, target=visible, note="plain note")
    return {"public": public, "people": people}


def test_guest_or_member_reads_no_private_community_through_glossary_mappings(mapped):
    for role in ("guest", "member", "coordinator"):
        client = _client(mapped["people"][role])
        texts = [
            client.get("/c/open-lab/glossary/"),
            client.get("/api/v1/communities/open-lab/mappings"),
            client.get("/c/open-lab/glossary/compare/open-two/"),
        ]
        for response in texts:
            assert response.status_code == 200, (role, response)
            text = response.content.decode()
            for secret in (SECRET, "hidden-harbour", "harbourling", "harbour note", "inbound harbour"):
                assert secret not in text, (role, secret)
        # the mapping to a community they may see stays
        assert "service user" in texts[0].content.decode()
        assert "open-two" in texts[1].content.decode()
    # a member of the private community sees its mappings
    client = _client(mapped["people"]["insider"])
    assert SECRET in client.get("/c/open-lab/glossary/").content.decode()
    assert "hidden-harbour" in client.get("/api/v1/communities/open-lab/mappings").content.decode()


def test_landing_page_member_counts_never_describe_fewer_than_5():
    """The landing page (anyone, not logged in) shows each featured community's size: exact from 5
    (a community's size is not private), "Fewer than 5 members" below, never 1-4."""
    small = CommunityFactory(slug="tiny-circle", name="Tiny Circle")
    big = CommunityFactory(slug="big-circle", name="Big Circle")
    for i in range(3):
        MembershipFactory(community=small, user=UserFactory(email=f"s{i}@example.com"), role=Role.MEMBER)
    for i in range(7):
        MembershipFactory(community=big, user=UserFactory(email=f"b{i}@example.com"), role=Role.MEMBER)
    MembershipFactory(community=small, user=UserFactory(email="g@example.com"), role=Role.GUEST)
    page = Client().get("/").content.decode()
    assert "7 members" in page
    assert "Fewer than 5 members" in page
    assert "3 members" not in page and "4 members" not in page
