"""API routes for discussions: list a community's threads, read a thread, reply. Members only."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from convene.core.api import ERRORS, Pagination

from . import selectors, services
from .models import BODY_LIMIT, Post, ReactionKind, Thread
from .permissions import Need, community_for, post_for, thread_for

router = Router(tags=["discussions"])


class DiscussionThreadOut(Schema):
    id: int
    title: str
    community: str
    started_by: str
    created_at: datetime
    last_post_at: datetime | None
    replies: int
    hidden: bool


class DiscussionReactionOut(Schema):
    reaction: ReactionKind
    label: str = Field(description="What the reaction means, in words (for screen readers)")
    emoji: str
    count: int
    mine: bool = Field(description="Whether the caller gave this reaction")
    names: list[str] = Field(description="Who reacted; empty in a thread about an anonymous response")


class DiscussionPostOut(Schema):
    id: int
    author: str
    body: str = Field(description="Markdown as written; mentions are @[Name](user:ID)")
    html: str = Field(description="The body rendered and sanitised")
    created_at: datetime
    edited_at: datetime | None
    hidden: bool
    hidden_reason: str = Field("", description="Only coordinators see hidden posts, with the reason")
    reactions: list[DiscussionReactionOut] = Field(default_factory=list, description="Every reaction kind, in order")


class DiscussionThreadDetailOut(DiscussionThreadOut):
    following: bool
    posts: list[DiscussionPostOut]


class DiscussionPostIn(Schema):
    body: str = Field(..., max_length=BODY_LIMIT)


class DiscussionReactionIn(Schema):
    reaction: ReactionKind
    on: bool | None = Field(None, description="true adds, false takes back, absent toggles")


class DiscussionReactionsOut(Schema):
    post: int
    reaction: ReactionKind
    on: bool = Field(description="Whether the caller's reaction is now given")
    reactions: list[DiscussionReactionOut]


def _name(user) -> str:
    return user.display_name if user else "A former member"


def _thread_out(thread: Thread, replies: int) -> dict:
    return {
        "id": thread.pk,
        "title": thread.title,
        "community": thread.community.slug,
        "started_by": _name(thread.created_by),
        "created_at": thread.created_at,
        "last_post_at": thread.last_post_at,
        "replies": max(replies, 0),
        "hidden": thread.is_hidden,
    }


def _post_out(post: Post) -> dict:
    return {
        "id": post.pk,
        "author": _name(post.author),
        "body": post.body,
        "html": str(getattr(post, "html", "") or selectors.body_html(post.body)),
        "created_at": post.created_at,
        "edited_at": post.edited_at,
        "hidden": post.is_hidden,
        "hidden_reason": post.hidden_reason,
        "reactions": [_reaction_out(r) for r in getattr(post, "reaction_list", [])],
    }


def _reaction_out(entry: dict) -> dict:
    return {
        "reaction": entry["code"],
        "label": entry["label"],
        "emoji": entry["emoji"],
        "count": entry["count"],
        "mine": entry["mine"],
        "names": entry["names"],
    }


@router.get(
    "/communities/{slug}/threads",
    response={200: list[DiscussionThreadOut], **ERRORS},
    summary="A community's threads, latest activity first",
)
@paginate(Pagination)
def list_threads(request, slug: str):
    community = community_for(request.user, slug, need=Need.MEMBER)
    return [_thread_out(t, t.reply_count) for t in selectors.threads_in(request.user, community)]


@router.get("/threads/{int:thread_id}", response={200: DiscussionThreadDetailOut, **ERRORS}, summary="A thread")
def get_thread(request, thread_id: int):
    thread = thread_for(request.user, thread_id)
    posts = selectors.thread_posts(request.user, thread)
    visible = [p for p in posts if not p.is_hidden]
    return {
        **_thread_out(thread, len(visible) - 1),
        "following": selectors.is_following(request.user, thread),
        "posts": [_post_out(p) for p in posts],
    }


@router.post("/threads/{int:thread_id}/posts", response={201: DiscussionPostOut, **ERRORS}, summary="Reply to a thread")
def add_post(request, thread_id: int, payload: DiscussionPostIn):
    thread = thread_for(request.user, thread_id)
    post = services.post_add(thread=thread, author=request.user, body=payload.body)
    return Status(201, _post_out(post))


@router.post(
    "/posts/{int:post_id}/reactions",
    response={200: DiscussionReactionsOut, **ERRORS},
    summary="Give or take back a reaction to a post (nobody is notified)",
)
def react(request, post_id: int, payload: DiscussionReactionIn):
    post = post_for(request.user, post_id)
    on = services.reaction_toggle(post=post, user=request.user, kind=payload.reaction, on=payload.on)
    selectors.attach_reactions(request.user, post.thread, [post])
    return {
        "post": post.pk,
        "reaction": payload.reaction,
        "on": on,
        "reactions": [_reaction_out(r) for r in post.reaction_list],
    }
