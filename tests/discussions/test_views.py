"""Threads about a session, a joint response or a project, started from the web: the form on
`discussions:about`, the "Discussions" section on each object's page, who may start one, and the
refusal for an anonymous joint response."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from convene.communities.models import Role
from convene.convening import services as convening
from convene.convening.models import ActivityType
from convene.discussions.models import Post, Thread
from convene.projects.models import Project

from ..factories import CommunityFactory, MembershipFactory
from ..worlds import gathering_response

pytestmark = pytest.mark.django_db

PAGES = {"session": "convening:session", "response": "deliberation:detail", "project": "projects:detail"}
NEW = {"title": "Who brings the slides?", "body": "I can bring them, @nobody else?"}


@pytest.fixture
def things(world):
    coordinator = world.users["coordinator"]
    session = convening.session_create(
        host=world.private,
        actor=coordinator,
        activity=ActivityType.objects.get(slug="boundary-engagement"),
        title="Referrals across the boundary",
        starts_at=timezone.now() + timedelta(days=3),
        invited_communities=[world.public],
    )
    convening.invitation_add(session=session, actor=coordinator, user=world.users["member"])
    session = convening.session_transition(session=session, actor=coordinator, to="invitations_sent")
    response = gathering_response(
        world.private, title="A new referral rule", what_changed="Referrals go through a central desk."
    )
    anonymous = gathering_response(
        world.private, title="Night shifts", what_changed="Night shifts change.", anonymous=True
    )
    partner = CommunityFactory(slug="partner", name="Partner Trust")
    project = Project.objects.create(
        title="Rota automation",
        goal="Build the rota report",
        requesting_contact="x@example.com",
        lead_community=partner,
        state="staffing",
    )
    project.communities.set([partner, world.private])
    return {"session": session, "response": response, "anonymous": anonymous, "project": project, "partner": partner}


def _about(kind, obj):
    return reverse("discussions:about", args=[kind, obj.pk])


@pytest.mark.parametrize("kind", ["session", "response", "project"])
def test_a_member_starts_a_thread_on_the_object_and_its_page_lists_it(client, world, things, kind):
    obj = things[kind]
    client.force_login(world.users["member"])
    page = client.get(_about(kind, obj))
    assert page.status_code == 200
    assert b"Start the thread" in page.content
    answer = client.post(_about(kind, obj), NEW)
    thread = Thread.objects.get(title=NEW["title"])
    assert answer.status_code == 302 and answer["Location"] == reverse("discussions:thread", args=[thread.pk])
    assert thread.about == obj and thread.created_by == world.users["member"]
    # A project's thread lives in the first of its communities where the author takes part.
    assert thread.community == world.private
    assert Post.objects.get(thread=thread).body == NEW["body"]
    listed = client.get(_about(kind, obj))
    assert NEW["title"].encode() in listed.content
    # The object's own page shows its "Discussions" section with the thread and the way in.
    own = client.get(reverse(PAGES[kind], args=[obj.pk]))
    assert own.status_code == 200, own.status_code
    assert b"Discussions" in own.content and NEW["title"].encode() in own.content
    assert _about(kind, obj).encode() in own.content


def test_a_thread_needs_a_title_and_a_message(client, world, things):
    client.force_login(world.users["member"])
    answer = client.post(_about("session", things["session"]), {"title": "", "body": ""})
    assert answer.status_code == 400
    assert not Thread.objects.exists()


def test_a_guest_reads_but_may_not_start_a_thread(client, world, things):
    session = things["session"]
    convening.invitation_add(session=session, actor=world.users["coordinator"], user=world.users["guest"])
    client.force_login(world.users["guest"])
    page = client.get(_about("session", session))
    assert page.status_code == 200
    assert b"Start the thread" not in page.content
    assert b"Only members of its communities can start a discussion here." in page.content
    assert client.post(_about("session", session), NEW).status_code == 403
    assert not Thread.objects.exists()


def test_a_project_thread_can_be_started_by_a_member_of_any_of_its_communities(client, world, things):
    partner_member = MembershipFactory(community=things["partner"], role=Role.MEMBER).user
    client.force_login(partner_member)
    assert client.post(_about("project", things["project"]), NEW).status_code == 302
    thread = Thread.objects.get()
    assert thread.community == things["partner"]  # the lead community, where they take part
    # Mia (a member of the private community only) does not see the partner's thread listed.
    client.force_login(world.users["member"])
    assert NEW["title"].encode() not in client.get(_about("project", things["project"])).content


def test_an_anonymous_joint_response_has_no_discussions(client, world, things):
    anonymous = things["anonymous"]
    for who in ("member", "coordinator"):
        client.force_login(world.users[who])
        page = client.get(_about("response", anonymous))
        assert page.status_code == 200
        assert b"This joint response is anonymous: it has no discussions" in page.content
        assert b"Start the thread" not in page.content
        refused = client.post(_about("response", anonymous), NEW)
        assert refused.status_code == 403
        assert b"it has no discussions, so that nobody is tied to it" in refused.content
    own = client.get(reverse(PAGES["response"], args=[anonymous.pk]))
    assert b"This joint response is anonymous: it has no discussions" in own.content
    assert _about("response", anonymous).encode() not in own.content
    assert not Thread.objects.exists()


def test_an_outsider_gets_404_and_nothing_of_another_kind_can_be_discussed(client, world, things):
    client.force_login(world.users["outsider"])
    assert client.get(_about("session", things["session"])).status_code == 404
    assert client.post(_about("project", things["project"]), NEW).status_code == 404
    client.force_login(world.users["member"])
    assert client.get(reverse("discussions:about", args=["community", 1])).status_code == 404
