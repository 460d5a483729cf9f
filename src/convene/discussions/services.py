"""Writing discussions: threads, posts, edits, moderation and follows. Keyword-only, atomic."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from convene.communities.models import Membership
from convene.communities.permissions import Need, can
from convene.convening.models import Session
from convene.core.errors import Conflict, InvalidInput
from convene.core.text import clean_text
from convene.deliberation.models import JointResponse
from convene.notifications.services import notify
from convene.projects.models import Project

from .models import (
    BODY_LIMIT,
    MEMBER_ROLES,
    REASON_LIMIT,
    TITLE_LIMIT,
    Follow,
    Post,
    PostRevision,
    Reaction,
    ReactionKind,
    Thread,
)
from .rendering import mentioned_ids
from .replies import reply_author_and_thread


def _about_community_ids(obj: models.Model) -> set[int]:
    """The communities a thread about `obj` may live in; InvalidInput for anything else."""
    if isinstance(obj, Session):
        return {obj.host_id}
    if isinstance(obj, JointResponse):
        if obj.anonymous:  # a thread would tie people to an anonymous response
            raise InvalidInput("Anonymous joint responses cannot have a discussion thread.", field="about")
        return {obj.community_id}
    if isinstance(obj, Project):
        return {obj.lead_community_id, *obj.communities.values_list("pk", flat=True)}
    raise InvalidInput("A thread can only be about a session, a joint response or a project.", field="about")


def _require_member(user, community) -> None:
    if not can(user, community, Need.MEMBER):
        raise InvalidInput("Only members of this community can take part in its discussions.")


def _url(thread: Thread, post: Post | None = None) -> str:
    url = reverse("discussions:thread", args=[thread.pk])
    return f"{url}#post-{post.pk}" if post else url


def _mentions(post: Post) -> set[int]:
    """The members of the thread's community mentioned in the post (others are left as text)."""
    ids = mentioned_ids(post.body)
    if not ids:
        return set()
    return set(
        Membership.objects.filter(
            community_id=post.thread.community_id, user_id__in=ids, role__in=MEMBER_ROLES, user__is_active=True
        ).values_list("user_id", flat=True)
    )


def _tell(post: Post, *, reply: bool = True, already: frozenset[int] = frozenset()) -> None:
    """Mentions first (people not in `already`), then, for a reply, the thread's followers."""
    thread, author = post.thread, post.author
    name = author.display_name if author else "Someone"
    mentioned = _mentions(post) - set(already)
    if mentioned:
        notify(
            recipients=mentioned,
            kind="discussion.mention",
            obj=post,
            text=f"{name} mentioned you in “{thread.title}”",
            url=_url(thread, post),
            community=thread.community,
            actor=author,
        )
    if not reply:
        return
    members = Membership.objects.filter(community_id=thread.community_id, role__in=MEMBER_ROLES).values("user_id")
    followers = (
        set(Follow.objects.filter(thread=thread, user_id__in=members).values_list("user_id", flat=True)) - mentioned
    )
    if followers:
        notify(
            recipients=followers,
            kind="discussion.reply",
            obj=post,
            text=f"{name} replied in “{thread.title}”",
            url=_url(thread, post),
            community=thread.community,
            actor=author,
        )


@transaction.atomic
def thread_create(*, community, author, title: str, body: str, about: models.Model | None = None) -> Thread:
    """A new thread with its opening post; the author follows it."""
    _require_member(author, community)
    title = clean_text(title, field="title", limit=TITLE_LIMIT, required=True)
    body = clean_text(body, field="body", limit=BODY_LIMIT, required=True, label="Message")
    thread = Thread(community=community, title=title, created_by=author)
    if about is not None:
        if community.pk not in _about_community_ids(about):
            raise InvalidInput("That is not part of this community.", field="about")
        thread.content_type = ContentType.objects.get_for_model(about)
        thread.object_id = about.pk
    thread.save()
    post = Post.objects.create(thread=thread, author=author, body=body)
    Thread.objects.filter(pk=thread.pk).update(last_post_at=post.created_at)
    thread.last_post_at = post.created_at
    Follow.objects.get_or_create(user=author, thread=thread)
    post.thread = thread
    _tell(post, reply=False)
    return thread


@transaction.atomic
def post_add(*, thread: Thread, author, body: str) -> Post:
    """A reply: mentioned members are told, and the thread's followers."""
    _require_member(author, thread.community)
    if thread.is_hidden:
        raise Conflict("This thread is hidden: it takes no replies.")
    body = clean_text(body, field="body", limit=BODY_LIMIT, required=True, label="Message")
    post = Post.objects.create(thread=thread, author=author, body=body)
    Thread.objects.filter(pk=thread.pk).update(last_post_at=post.created_at)
    post.thread = thread
    _tell(post)
    return post


@transaction.atomic
def post_add_by_mail(*, token: str, body: str, senders: list[str] | None = None) -> Post:
    """A reply by e-mail to a notification: posted as the person the signed reply address names, in
    its thread, through `post_add` (mentions, followers, the same limits). ReplyRefused when the
    address is bad, expired or no longer lets that person post there (discussions/replies.py)."""
    author, thread = reply_author_and_thread(token, senders=senders)
    return post_add(thread=thread, author=author, body=body)


@transaction.atomic
def post_edit(*, post: Post, editor, body: str) -> Post:
    """The author changes their post; what it said before is kept as a revision."""
    if post.author_id != editor.pk:
        raise InvalidInput("Only the author can edit a post.")
    if post.is_hidden:
        raise Conflict("A hidden post cannot be edited.")
    body = clean_text(body, field="body", limit=BODY_LIMIT, required=True, label="Message")
    if body == post.body:
        return post
    before = mentioned_ids(post.body)
    PostRevision.objects.create(post=post, body=post.body)
    post.body = body
    post.edited_at = timezone.now()
    post.save(update_fields=["body", "edited_at"])
    _tell(post, reply=False, already=frozenset(before))  # only people newly mentioned are told
    return post


def _hide(obj, *, actor, community, reason: str) -> None:
    if not can(actor, community, Need.COORDINATOR):
        raise InvalidInput("Only coordinators can hide posts.")
    reason = clean_text(reason, field="reason", limit=REASON_LIMIT, required=True, label="Reason")
    if obj.is_hidden:
        raise Conflict("Already hidden.")
    obj.hidden_at = timezone.now()
    obj.hidden_reason = reason
    obj.hidden_by = actor
    obj.save(update_fields=["hidden_at", "hidden_reason", "hidden_by"])


@transaction.atomic
def post_hide(*, post: Post, actor, reason: str) -> Post:
    """A coordinator hides a post, saying why; members no longer see it, coordinators see it marked."""
    _hide(post, actor=actor, community=post.thread.community, reason=reason)
    return post


@transaction.atomic
def thread_hide(*, thread: Thread, actor, reason: str) -> Thread:
    _hide(thread, actor=actor, community=thread.community, reason=reason)
    return thread


@transaction.atomic
def thread_follow(*, thread: Thread, user) -> Follow:
    _require_member(user, thread.community)
    follow, _ = Follow.objects.get_or_create(user=user, thread=thread)
    return follow


@transaction.atomic
def thread_unfollow(*, thread: Thread, user) -> None:
    Follow.objects.filter(user=user, thread=thread).delete()


@transaction.atomic
def reaction_toggle(*, post: Post, user, kind: str, on: bool | None = None) -> bool:
    """Add or take back the person's reaction of `kind` to a post (`on=None`: the other of what it
    is); returns whether it is on now. Nobody is notified: reactions stay quiet (docs/discussions.md)."""
    if kind not in ReactionKind.values:
        choices = ", ".join(ReactionKind.values)
        raise InvalidInput(
            _("Choose one of the reactions offered: %(choices)s.") % {"choices": choices}, field="reaction"
        )
    _require_member(user, post.thread.community)
    if post.is_hidden or post.thread.is_hidden:
        raise Conflict(_("Hidden posts take no reactions."))
    if not post.body:
        raise Conflict(_("A removed post takes no reactions."))
    mine = Reaction.objects.filter(post=post, user=user, kind=kind)
    if on is None:
        on = not mine.exists()
    if on:
        Reaction.objects.get_or_create(post=post, user=user, kind=kind)
    else:
        mine.delete()
    return on


def personal_data_erase(user) -> None:
    """A person leaving: their posts' words go (earlier versions too), and their reactions; the
    thread keeps its place."""
    Reaction.objects.filter(user=user).delete()
    PostRevision.objects.filter(post__author=user).delete()
    Post.objects.filter(author=user).update(body="", author=None)
