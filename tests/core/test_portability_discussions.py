"""Discussions in the community export and import: threads with their posts, earlier versions,
follows and reactions, each with its people; what a thread was about stays behind."""

from __future__ import annotations

import pytest

from convene.communities.models import Role
from convene.core.portability import community_export, community_import
from convene.deliberation.models import JointResponse
from convene.discussions import services
from convene.discussions.models import Follow, Post, PostRevision, Reaction, Thread
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_threads_posts_follows_and_reactions_travel_with_their_people():
    home = CommunityFactory(slug="home")
    ana, ben = UserFactory(email="ana@example.com"), UserFactory(email="ben@example.com")
    for user in (ana, ben):
        MembershipFactory(community=home, user=user, role=Role.MEMBER)
    thread = services.thread_create(community=home, author=ana, title="Rota", body="Swaps?")
    response = JointResponse.objects.create(community=home, title="Consultation")
    about = services.thread_create(community=home, author=ben, title="On it", body="Hi", about=response)
    reply = services.post_add(thread=thread, author=ben, body="Friday")
    services.post_edit(post=reply, editor=ben, body="Friday, evening")
    services.thread_follow(thread=thread, user=ben)
    services.reaction_toggle(post=reply, user=ana, kind="heart")
    elsewhere = CommunityFactory(slug="elsewhere")
    MembershipFactory(community=elsewhere, user=ana, role=Role.MEMBER)
    services.thread_create(community=elsewhere, author=ana, title="Not here", body="x")

    data = community_export(home)
    models = [o["model"] for o in data["objects"]]
    assert models.count("discussions.thread") == 2 and models.count("discussions.reaction") == 1
    assert models.count("discussions.post") == 3 and models.count("discussions.postrevision") == 1
    assert models.count("discussions.follow") == 3  # the two authors, and Ben on Ana's thread
    about_row = next(o for o in data["objects"] if o["model"] == "discussions.thread" and o["pk"] == about.pk)
    assert not {"content_type", "object_id"} & set(about_row["fields"])

    assert community_import(data, slug="copy", name="Copy") > 0
    copied = Thread.objects.get(community__slug="copy", title="Rota")
    copied_reply = Post.objects.get(thread=copied, author=ben)
    assert copied_reply.body == "Friday, evening"
    assert PostRevision.objects.get(post=copied_reply).body == "Friday"
    assert Reaction.objects.get(post=copied_reply).user == ana
    assert Follow.objects.filter(thread=copied, user=ben).exists()
    assert Thread.objects.get(community__slug="copy", title="On it").object_id is None
    assert not Thread.objects.filter(community__slug="copy", title="Not here").exists()
