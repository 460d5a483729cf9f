"""Reactions to posts: a fixed set, toggled by members who may read the post, quiet (no notification),
shown with who reacted except in a thread about an anonymous response; in the data download and
gone with the account. The web (plain form and htmx) and the API."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from convene.accounts.selectors import my_data
from convene.accounts.services import account_delete
from convene.communities.models import Role
from convene.core.errors import Conflict, InvalidInput
from convene.deliberation.models import JointResponse
from convene.discussions import selectors, services
from convene.discussions.models import Reaction
from convene.notifications.models import Notification

from ..factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def talk():
    community = CommunityFactory(slug="psy", name="Psychiatry")
    ana = UserFactory(email="ana@example.com", name="Ana Silva")
    ben = UserFactory(email="ben@example.com", name="Ben Novak")
    cora = UserFactory(email="cora@example.com", name="Cora Lead")
    gus = UserFactory(email="gus@example.com", name="Gus Guest")
    for user, role in ((ana, Role.MEMBER), (ben, Role.MEMBER), (cora, Role.COORDINATOR), (gus, Role.GUEST)):
        MembershipFactory(community=community, user=user, role=role)
    thread = services.thread_create(community=community, author=ana, title="Rota", body="Who swaps Friday?")
    return thread, thread.posts.get(), ana, ben, cora, gus


def _bar(user, thread, post) -> dict:
    [shown] = [p for p in selectors.thread_posts(user, thread) if p.pk == post.pk]
    return {r["code"]: r for r in shown.reaction_list}


def test_a_reaction_toggles_and_nobody_is_notified(talk):
    thread, post, ana, ben, cora, gus = talk
    before = Notification.objects.count()
    assert services.reaction_toggle(post=post, user=ben, kind="heart") is True
    assert services.reaction_toggle(post=post, user=cora, kind="heart") is True
    bar = _bar(ana, thread, post)
    assert [r["code"] for r in bar.values()] == ["thumbs_up", "heart", "hooray", "smile", "thinking", "eyes"]
    assert bar["heart"]["count"] == 2 and bar["heart"]["names"] == ["Ben Novak", "Cora Lead"]
    assert bar["heart"]["mine"] is False and _bar(ben, thread, post)["heart"]["mine"] is True
    assert bar["heart"]["emoji"] == "❤️" and bar["heart"]["label"] == "Heart"
    assert services.reaction_toggle(post=post, user=ben, kind="heart") is False  # taken back
    assert services.reaction_toggle(post=post, user=ben, kind="heart", on=False) is False  # stays off
    assert services.reaction_toggle(post=post, user=ben, kind="eyes", on=True) is True
    assert services.reaction_toggle(post=post, user=ben, kind="eyes", on=True) is True  # no double
    assert Reaction.objects.filter(post=post, user=ben).count() == 1
    assert Notification.objects.count() == before


def test_only_members_react_to_what_they_may_see_and_only_from_the_set(talk):
    thread, post, ana, ben, cora, gus = talk
    with pytest.raises(InvalidInput, match="Only members"):
        services.reaction_toggle(post=post, user=gus, kind="heart")
    with pytest.raises(InvalidInput, match="reactions offered"):
        services.reaction_toggle(post=post, user=ben, kind="poop")
    services.post_hide(post=post, actor=cora, reason="Names a patient")
    with pytest.raises(Conflict, match="Hidden posts"):
        services.reaction_toggle(post=post, user=cora, kind="heart")
    assert not Reaction.objects.exists()


def test_names_are_not_shown_in_a_thread_about_a_response_made_anonymous_later(talk):
    thread, post, ana, ben, cora, gus = talk
    response = JointResponse.objects.create(community=thread.community, title="Consultation")
    about = services.thread_create(community=thread.community, author=ana, title="On it", body="Hi", about=response)
    opening = about.posts.get()
    services.reaction_toggle(post=opening, user=ben, kind="thumbs_up")
    assert _bar(ana, about, opening)["thumbs_up"]["names"] == ["Ben Novak"]
    JointResponse.objects.filter(pk=response.pk).update(anonymous=True)  # allowed while in draft
    bar = _bar(ana, about, opening)
    assert bar["thumbs_up"]["count"] == 1 and bar["thumbs_up"]["names"] == []


def test_reactions_are_in_the_data_download_and_go_with_the_account(talk):
    thread, post, ana, ben, cora, gus = talk
    services.reaction_toggle(post=post, user=ben, kind="hooray")
    data = my_data(ben)
    assert data["discussion_reactions"] == [
        {
            "thread": "Rota",
            "post": post.pk,
            "reaction": "hooray",
            "created_at": data["discussion_reactions"][0]["created_at"],
        }
    ]
    json.dumps(data)
    account_delete(user=ben)
    assert not Reaction.objects.filter(user=ben).exists()


def test_the_web_form_works_without_javascript_and_htmx_gets_the_bar(talk):
    thread, post, ana, ben, cora, gus = talk
    client = Client()
    client.force_login(ben)
    url = f"/discussions/posts/{post.pk}/react/"
    answer = client.post(url, {"reaction": "thinking"})
    assert answer.status_code == 302 and answer["Location"] == f"/discussions/{thread.pk}/#post-{post.pk}"
    page = client.get(f"/discussions/{thread.pk}/").content.decode()
    assert f'id="react-{post.pk}-thinking" class="reaction" aria-pressed="true" title="Ben Novak"' in page
    assert '<span class="sr-only">Thinking,</span> <span class="reaction-count">1</span>' in page
    assert f'id="react-{post.pk}-heart" class="reaction" aria-pressed="false">' in page
    fragment = client.post(url, {"reaction": "thinking"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    body = fragment.content.decode()
    assert body.lstrip().startswith(f'<div class="reactions" id="reactions-{post.pk}"') and "<html" not in body
    assert f'id="react-{post.pk}-thinking" class="reaction" aria-pressed="false"' in body
    bad = client.post(url, {"reaction": "poop"}, headers={"HX-Request": "true"})
    assert bad.status_code == 200 and 'role="alert"' in bad.content.decode()
    assert client.post(url, {"reaction": "poop"}).status_code == 302  # the message says why, on the page


def test_the_api_gives_takes_back_and_answers_json_errors(talk):
    thread, post, ana, ben, cora, gus = talk
    client = Client()
    client.force_login(ben)
    url = f"/api/v1/discussions/posts/{post.pk}/reactions"
    answer = client.post(url, {"reaction": "thumbs_up"}, content_type="application/json")
    assert answer.status_code == 200, answer.content
    out = answer.json()
    assert out["on"] is True and out["post"] == post.pk
    assert out["reactions"][0] == {
        "reaction": "thumbs_up",
        "label": "Thumbs up",
        "emoji": "👍",
        "count": 1,
        "mine": True,
        "names": ["Ben Novak"],
    }
    off = client.post(url, {"reaction": "thumbs_up", "on": False}, content_type="application/json").json()
    assert off["on"] is False and off["reactions"][0]["count"] == 0
    bad = client.post(url, {"reaction": "poop"}, content_type="application/json")
    assert bad.status_code == 422 and bad["Content-Type"].startswith("application/json")
    missing = client.post(
        "/api/v1/discussions/posts/999999/reactions", {"reaction": "heart"}, content_type="application/json"
    )
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    services.reaction_toggle(post=post, user=cora, kind="eyes")
    shown = client.get(f"/api/v1/discussions/threads/{thread.pk}").json()["posts"][0]["reactions"]
    assert {r["reaction"]: r["count"] for r in shown}["eyes"] == 1


def test_reading_a_thread_costs_the_same_queries_however_many_posts_have_reactions(talk):
    thread, post, ana, ben, cora, gus = talk
    services.reaction_toggle(post=post, user=ben, kind="heart")

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            selectors.thread_posts(ana, thread)
        return len(queries)

    one = cost()
    for i in range(5):
        reply = services.post_add(thread=thread, author=ben, body=f"Reply {i}")
        for user, kind in ((ana, "smile"), (cora, "eyes"), (ben, "thumbs_up")):
            services.reaction_toggle(post=reply, user=user, kind=kind)
    assert cost() == one
