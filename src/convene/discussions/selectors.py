"""Reading discussions (never writes), and the hooks core/hooks.py finds by name."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from convene.communities.models import Membership
from convene.communities.permissions import Need, can, rank_of
from convene.core.hooks import first
from convene.deliberation.models import JointResponse

from .models import EMOJI, MEMBER_ROLES, Follow, Post, PostRevision, Reaction, ReactionKind, Thread
from .rendering import body_html
from .replies import reply_address

PEOPLE_LIMIT = 8


def threads_in(user, community) -> QuerySet[Thread]:
    """The community's threads, newest activity first; hidden ones only for coordinators."""
    qs = Thread.objects.filter(community=community).select_related("created_by__profile")
    moderator = can(user, community, Need.COORDINATOR)
    if not moderator:
        qs = qs.filter(hidden_at__isnull=True)
    return qs.annotate(
        reply_count=Count("posts", filter=Q(posts__hidden_at__isnull=True)) - 1,
    ).order_by("-last_post_at", "-pk")


def threads_about(user, obj, communities) -> QuerySet[Thread]:
    """Threads about `obj` in those of `communities` where the person takes part (member or
    coordinator), newest activity first; hidden ones only in communities they coordinate."""
    taking_part = [c.pk for c in communities if can(user, c, Need.MEMBER)]
    moderating = [c.pk for c in communities if c.pk in taking_part and can(user, c, Need.COORDINATOR)]
    qs = Thread.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, community_id__in=taking_part
    ).filter(Q(hidden_at__isnull=True) | Q(community_id__in=moderating))
    return (
        qs.select_related("created_by__profile", "community")
        .annotate(reply_count=Count("posts", filter=Q(posts__hidden_at__isnull=True)) - 1)
        .order_by("-last_post_at", "-pk")
    )


def thread_posts(user, thread: Thread) -> list[Post]:
    """The posts a person may read, oldest first, each with `html` (its body rendered safely)."""
    qs = thread.posts.select_related("author__profile", "hidden_by__profile").prefetch_related(
        Prefetch("revisions", queryset=PostRevision.objects.order_by("-created_at", "-pk"))
    )
    if not can(user, thread.community, Need.COORDINATOR):
        qs = qs.filter(hidden_at__isnull=True)
    posts = list(qs.order_by("created_at", "pk"))
    for post in posts:
        post.html = body_html(post.body)
    attach_reactions(user, thread, posts)
    return posts


def names_hidden(thread: Thread) -> bool:
    """True when the thread is about a joint response that is anonymous (one can be made anonymous
    while in draft, after a thread about it began): who reacted is then not shown, only counts."""
    if thread.content_type_id is None:
        return False
    if ContentType.objects.get_for_id(thread.content_type_id).model != "jointresponse":  # cached
        return False
    return JointResponse.objects.filter(pk=thread.object_id, anonymous=True).exists()


def attach_reactions(user, thread: Thread, posts: list[Post]) -> None:
    """Give each post `reaction_list`: one entry per reaction kind, in the fixed order, with `code`,
    `emoji`, `label`, `count`, `mine` (the viewer's) and `names` (who, unless names are hidden)."""
    by_post: dict[int, dict[str, list]] = {p.pk: {} for p in posts}
    rows = Reaction.objects.filter(post__in=[p.pk for p in posts]).select_related("user__profile").order_by("pk")
    for reaction in rows:
        by_post[reaction.post_id].setdefault(reaction.kind, []).append(reaction.user)
    hide_names = names_hidden(thread)
    viewer = getattr(user, "pk", None)
    for post in posts:
        post.reaction_list = [
            {
                "code": kind.value,
                "emoji": EMOJI[kind],
                "label": str(kind.label),
                "count": len(people := by_post[post.pk].get(kind.value, [])),
                "mine": any(p.pk == viewer for p in people),
                "names": [] if hide_names else [p.display_name for p in people],
            }
            for kind in ReactionKind
        ]


_CONTEXT_PREFIX = {"session": "session", "jointresponse": "response", "project": "project"}


def about_link(thread: Thread) -> dict | None:
    """{"title", "url"} of what the thread is about, through the owning app's `context_info` hook."""
    if thread.content_type_id is None:
        return None
    prefix = _CONTEXT_PREFIX.get(thread.content_type.model)
    info = first("context_info", f"{prefix}:{thread.object_id}") if prefix else None
    return {"title": info["title"], "url": info["url"]} if info else None


def about_link_of(kind: str, obj) -> str:
    """The page of a session, joint response or project (through its app's `context_info` hook)."""
    info = first("context_info", f"{kind}:{obj.pk}")
    return info["url"] if info else ""


def post_in(thread: Thread, post_id) -> Post | None:
    return thread.posts.filter(pk=post_id).first()


def is_following(user, thread: Thread) -> bool:
    return Follow.objects.filter(user=user, thread=thread).exists() if user.is_authenticated else False


def people_search(community, q: str) -> list[dict]:
    """Members of the community whose name starts a word with `q` (for the mention autocomplete)."""
    q = " ".join((q or "").split())[:60]
    if not q:
        return []
    memberships = (
        Membership.objects.filter(community=community, role__in=MEMBER_ROLES, user__is_active=True)
        .select_related("user__profile")
        .order_by("user__profile__display_name", "user_id")
    )
    needle = q.casefold()
    out = []
    for membership in memberships:
        name = membership.user.display_name
        words = name.casefold().split()
        if name.casefold().startswith(needle) or any(w.startswith(needle) for w in words):
            out.append({"id": membership.user_id, "name": name})
            if len(out) >= PEOPLE_LIMIT:
                break
    return out


# ----------------------------------------------------------------------------- hooks


def community_links(user, community) -> list[tuple[str, str]]:
    if rank_of(user, community) >= Need.MEMBER:
        return [(_("Discussion"), reverse("discussions:list", args=[community.slug]))]
    return []


def personal_data(user) -> dict:
    return {
        "discussion_posts": [
            {
                "thread": post.thread.title,
                "body": post.body,
                "created_at": post.created_at.isoformat(),
                "edited_at": post.edited_at.isoformat() if post.edited_at else None,
            }
            for post in Post.objects.filter(author=user).select_related("thread").order_by("created_at")
        ],
        "followed_threads": list(Follow.objects.filter(user=user).values_list("thread__title", flat=True)),
        "discussion_reactions": [
            {
                "thread": reaction.post.thread.title,
                "post": reaction.post_id,
                "reaction": reaction.kind,
                "created_at": reaction.created_at.isoformat(),
            }
            for reaction in Reaction.objects.filter(user=user).select_related("post__thread").order_by("created_at")
        ],
    }


def mail_reply_to(notification) -> str | None:
    """A signed reply address for a notification about a post (a mention, a reply in a followed
    thread), naming its recipient and the post's thread; None when replies by mail are off."""
    if not settings.CONVENE_REPLY_DOMAIN or notification.object_id is None:
        return None
    if notification.content_type_id != ContentType.objects.get_for_model(Post).pk:
        return None
    thread_id = Post.objects.filter(pk=notification.object_id).values_list("thread_id", flat=True).first()
    return reply_address(notification.recipient_id, thread_id) if thread_id else None
