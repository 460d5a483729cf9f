"""Fetch-and-authorize helpers: threads and posts are for members of their community.

Hidden threads and posts are 404 to everyone but the community's coordinators; a thread of a
community the person cannot see is 404, of one they see but are not a member of, 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _

from convene.communities.models import Community
from convene.communities.permissions import Need, can, community_for
from convene.convening.permissions import session_for
from convene.deliberation.permissions import response_for
from convene.projects.permissions import project_for

from .models import Post, Thread

__all__ = [
    "ABOUT_KINDS",
    "About",
    "about_communities",
    "Need",
    "about_for",
    "can",
    "community_for",
    "post_for",
    "thread_for",
]

ABOUT_KINDS = ("session", "response", "project")  # what a thread can be about, besides a community


@dataclass
class About:
    """Something a thread can be about, as the person sees it."""

    kind: str
    obj: models.Model
    title: str
    communities: list[Community]  # the communities its threads may live in
    home: Community | None  # the first of them where the person takes part (may start a thread)
    anonymous: bool = False  # an anonymous joint response: no threads at all


def about_communities(kind: str, obj) -> list[Community]:
    """Where threads about `obj` may live: a session's host, a response's community, a project's
    lead community and then its other communities."""
    if kind == "session":
        return [obj.host]
    if kind == "response":
        return [obj.community]
    others = Community.objects.filter(projects=obj).exclude(pk=obj.lead_community_id).order_by("pk")
    return [obj.lead_community, *others]


def about_for(user, kind: str, object_id, *, start: bool = False) -> About:
    """The session, joint response or project, if the person may see it (the owning app's rules:
    404 or 403 as on its own page). With `start=True`, also that they may start a thread on it:
    a member or coordinator of one of its communities (never a guest), and not an anonymous response."""
    if kind == "session":
        session = session_for(user, object_id)
        about = About(kind, session, session.title, about_communities(kind, session), None)
    elif kind == "response":
        response = response_for(user, object_id)
        about = About(kind, response, response.title, about_communities(kind, response), None, response.anonymous)
    elif kind == "project":
        project = project_for(user, object_id)
        about = About(kind, project, project.title, about_communities(kind, project), None)
    else:
        raise Http404(_("There is nothing of that kind to discuss."))
    about.home = next((c for c in about.communities if can(user, c, Need.MEMBER)), None)
    if start:
        if about.anonymous:
            raise PermissionDenied(
                _("This joint response is anonymous: it has no discussions, so that nobody is tied to it.")
            )
        if about.home is None:
            raise PermissionDenied(_("Only members of its communities can start a discussion here."))
    return about


def _id(value) -> int:
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise Http404("No such thread.") from None
    if not 0 < value < 2**63:
        raise Http404("No such thread.")
    return value


def thread_for(user, thread_id, *, need: Need = Need.MEMBER) -> Thread:
    thread = Thread.objects.select_related("community").filter(pk=_id(thread_id)).first()
    if thread is None:
        raise Http404("No such thread.")
    community_for(user, thread.community.slug, need=Need.VIEW)  # 404 for a community they cannot see
    if thread.is_hidden and not can(user, thread.community, Need.COORDINATOR):
        raise Http404("No such thread.")
    community_for(user, thread.community.slug, need=need)
    return thread


def post_for(user, post_id, *, need: Need = Need.MEMBER, author: bool = False) -> Post:
    """The post, if the person may read it; `author=True` also requires them to have written it."""
    post = Post.objects.select_related("thread__community", "author").filter(pk=_id(post_id)).first()
    if post is None:
        raise Http404("No such post.")
    thread_for(user, post.thread_id, need=Need.MEMBER)
    if post.is_hidden and not can(user, post.thread.community, Need.COORDINATOR):
        raise Http404("No such post.")
    if need > Need.MEMBER:
        community_for(user, post.thread.community.slug, need=need)
    if author and post.author_id != getattr(user, "pk", None):
        raise PermissionDenied("Only the author can edit a post.")
    return post
