"""Threads, replies, edits, moderation, follows and mentions, through the services and selectors."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from convene.communities.models import Role
from convene.core.errors import Conflict, InvalidInput
from convene.deliberation.models import JointResponse
from convene.discussions import selectors, services
from convene.discussions.models import Follow, Post, PostRevision
from convene.discussions.permissions import post_for, thread_for
from convene.discussions.rendering import body_html, mentioned_ids
from convene.notifications.models import Notification

from ..factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    community = CommunityFactory(slug="psy", name="Psychiatry")
    ana = UserFactory(email="ana@example.com", name="Ana Silva")
    ben = UserFactory(email="ben@example.com", name="Ben Novak")
    cora = UserFactory(email="cora@example.com", name="Cora Lead")
    gus = UserFactory(email="gus@example.com", name="Gus Guest")
    out = UserFactory(email="out@example.com", name="Olive Out")
    MembershipFactory(community=community, user=ana, role=Role.MEMBER)
    MembershipFactory(community=community, user=ben, role=Role.MEMBER)
    MembershipFactory(community=community, user=cora, role=Role.COORDINATOR)
    MembershipFactory(community=community, user=gus, role=Role.GUEST)
    return community, ana, ben, cora, gus, out


def _mention(user) -> str:
    return f"@[{user.display_name}](user:{user.pk})"


def test_thread_create_opens_with_a_post_and_the_author_follows(people):
    community, ana, *_ = people
    thread = services.thread_create(community=community, author=ana, title="  Rota swaps ", body="Who can swap?")
    assert thread.title == "Rota swaps"
    assert [p.body for p in thread.posts.all()] == ["Who can swap?"]
    assert Follow.objects.filter(user=ana, thread=thread).exists()
    assert thread.last_post_at is not None


@pytest.mark.parametrize("field", ["title", "body"])
def test_thread_create_refuses_empty_text(people, field):
    community, ana, *_ = people
    data = {"title": "T", "body": "B", field: "   "}
    with pytest.raises(InvalidInput) as exc:
        services.thread_create(community=community, author=ana, **data)
    assert exc.value.field == field


def test_guests_and_outsiders_cannot_write(people):
    community, ana, _, _, gus, out = people
    for person in (gus, out):
        with pytest.raises(InvalidInput):
            services.thread_create(community=community, author=person, title="T", body="B")
    thread = services.thread_create(community=community, author=ana, title="T", body="B")
    with pytest.raises(InvalidInput):
        services.post_add(thread=thread, author=gus, body="Hi")


def test_a_reply_tells_followers_and_mentions_tell_the_mentioned(people):
    community, ana, ben, cora, gus, out = people
    thread = services.thread_create(community=community, author=ana, title="Rota", body="Who can swap?")
    services.thread_follow(thread=thread, user=cora)
    body = f"{_mention(ana)} I can, and {_mention(gus)} {_mention(out)} cannot be told."
    post = services.post_add(thread=thread, author=ben, body=body)
    rows = {(n.recipient_id, n.kind) for n in Notification.objects.all()}
    # Ana is mentioned (one notification, not also a reply one); Cora follows; guests and outsiders
    # are not members of the discussion, so their mentions stay text.
    assert rows == {(ana.pk, "discussion.mention"), (cora.pk, "discussion.reply")}
    mention = Notification.objects.get(recipient=ana)
    assert mention.text == "Ben Novak mentioned you in “Rota”"
    assert mention.url.endswith(f"#post-{post.pk}")
    assert mention.community == community


def test_the_author_is_not_told_about_their_own_reply(people):
    community, ana, *_ = people
    thread = services.thread_create(community=community, author=ana, title="Rota", body="Hi")
    services.post_add(thread=thread, author=ana, body=f"And {_mention(ana)}")
    assert not Notification.objects.exists()


def test_unfollow_stops_reply_notifications(people):
    community, ana, ben, *_ = people
    thread = services.thread_create(community=community, author=ana, title="Rota", body="Hi")
    services.thread_unfollow(thread=thread, user=ana)
    services.post_add(thread=thread, author=ben, body="Reply")
    assert not Notification.objects.exists()


def test_edit_keeps_a_revision_and_tells_only_newly_mentioned(people):
    community, ana, ben, cora, *_ = people
    thread = services.thread_create(community=community, author=ana, title="Rota", body="Hi")
    services.thread_unfollow(thread=thread, user=ana)
    post = services.post_add(thread=thread, author=ben, body=f"Hi {_mention(ana)}")
    assert Notification.objects.filter(recipient=ana).count() == 1
    services.post_edit(post=post, editor=ben, body=f"Hi {_mention(ana)} and {_mention(cora)}")
    assert list(PostRevision.objects.filter(post=post).values_list("body", flat=True)) == [f"Hi {_mention(ana)}"]
    assert Notification.objects.filter(recipient=ana).count() == 1
    assert Notification.objects.filter(recipient=cora, kind="discussion.mention").count() == 1
    post.refresh_from_db()
    assert post.edited_at is not None
    with pytest.raises(InvalidInput):
        services.post_edit(post=post, editor=ana, body="Not mine")


def test_hidden_posts_are_for_coordinators_only(people):
    community, ana, ben, cora, *_ = people
    thread = services.thread_create(community=community, author=ana, title="Rota", body="Hi")
    post = services.post_add(thread=thread, author=ben, body="Names a patient")
    with pytest.raises(InvalidInput):
        services.post_hide(post=post, actor=ana, reason="No")
    with pytest.raises(InvalidInput):
        services.post_hide(post=post, actor=cora, reason="  ")
    services.post_hide(post=post, actor=cora, reason="Names a patient")
    with pytest.raises(Conflict):
        services.post_hide(post=post, actor=cora, reason="Again")
    with pytest.raises(Conflict):
        services.post_edit(post=post, editor=ben, body="Fixed")
    assert [p.pk for p in selectors.thread_posts(ana, thread)] == [thread.posts.first().pk]
    seen = selectors.thread_posts(cora, thread)
    assert [p.is_hidden for p in seen] == [False, True]
    assert seen[1].hidden_reason == "Names a patient"
    with pytest.raises(Http404):
        post_for(ben, post.pk)
    assert post_for(cora, post.pk) == post


def test_hidden_threads_are_404_to_members_and_refuse_replies(people):
    community, ana, ben, cora, gus, out = people
    thread = services.thread_create(community=community, author=ana, title="Rota", body="Hi")
    services.thread_hide(thread=thread, actor=cora, reason="Duplicate")
    with pytest.raises(Http404):
        thread_for(ana, thread.pk)
    assert thread_for(cora, thread.pk) == thread
    assert list(selectors.threads_in(ana, community)) == []
    assert [t.pk for t in selectors.threads_in(cora, community)] == [thread.pk]
    with pytest.raises(Conflict):
        services.post_add(thread=thread, author=cora, body="Hi")


def test_thread_for_member_only(people):
    community, ana, _, _, gus, out = people
    thread = services.thread_create(community=community, author=ana, title="Rota", body="Hi")
    for person in (gus, out):
        with pytest.raises(PermissionDenied):
            thread_for(person, thread.pk)
    with pytest.raises(Http404):
        thread_for(ana, "nope")


def test_a_thread_about_an_anonymous_response_is_refused(people):
    community, ana, *_ = people
    anonymous = JointResponse.objects.create(community=community, title="Consultation", anonymous=True)
    named = JointResponse.objects.create(community=community, title="Consultation 2")
    with pytest.raises(InvalidInput, match="Anonymous"):
        services.thread_create(community=community, author=ana, title="T", body="B", about=anonymous)
    thread = services.thread_create(community=community, author=ana, title="T", body="B", about=named)
    assert thread.about == named
    other = JointResponse.objects.create(community=CommunityFactory(slug="other"), title="Elsewhere")
    with pytest.raises(InvalidInput, match="not part"):
        services.thread_create(community=community, author=ana, title="T", body="B", about=other)
    with pytest.raises(InvalidInput):
        services.thread_create(community=community, author=ana, title="T", body="B", about=ana)


def test_rendering_is_safe_and_mentions_become_text():
    html = body_html("**Hi** @[Ana <b>](user:3) <script>x()</script> [a](javascript:alert(1))")
    assert "<strong>Hi</strong>" in html
    assert "@Ana &lt;b&gt;" in html
    assert "<script" not in html and 'href="javascript' not in html and "user:3" not in html
    assert mentioned_ids("@[A](user:3) @[B](user:4) @[C](user:x)") == {3, 4}


def test_people_search_lists_members_only(people):
    community, *_ = people
    assert [p["name"] for p in selectors.people_search(community, "no")] == ["Ben Novak"]
    assert [p["name"] for p in selectors.people_search(community, "g")] == []  # a guest
    assert selectors.people_search(community, "  ") == []


def test_personal_data_and_erase(people):
    community, ana, ben, *_ = people
    thread = services.thread_create(community=community, author=ana, title="Rota", body="Hi")
    post = services.post_add(thread=thread, author=ben, body="Mine")
    services.post_edit(post=post, editor=ben, body="Mine, edited")
    assert selectors.personal_data(ben)["discussion_posts"][0]["body"] == "Mine, edited"
    services.personal_data_erase(ben)
    post = Post.objects.get(pk=post.pk)
    assert (post.body, post.author, post.revisions.count()) == ("", None, 0)
