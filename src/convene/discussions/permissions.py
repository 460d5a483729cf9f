"""Fetch-and-authorize helpers: threads and posts are for members of their community.

Hidden threads and posts are 404 to everyone but the community's coordinators; a thread of a
community the person cannot see is 404, of one they see but are not a member of, 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from convene.communities.permissions import Need, can, community_for

from .models import Post, Thread

__all__ = ["Need", "can", "community_for", "post_for", "thread_for"]


def _id(value) -> int:
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise Http404(_("No such thread.")) from None
    if not 0 < value < 2**63:
        raise Http404(_("No such thread."))
    return value


def thread_for(user, thread_id, *, need: Need = Need.MEMBER) -> Thread:
    thread = Thread.objects.select_related("community").filter(pk=_id(thread_id)).first()
    if thread is None:
        raise Http404(_("No such thread."))
    community_for(user, thread.community.slug, need=Need.VIEW)  # 404 for a community they cannot see
    if thread.is_hidden and not can(user, thread.community, Need.COORDINATOR):
        raise Http404(_("No such thread."))
    community_for(user, thread.community.slug, need=need)
    return thread


def post_for(user, post_id, *, need: Need = Need.MEMBER, author: bool = False) -> Post:
    """The post, if the person may read it; `author=True` also requires them to have written it."""
    post = Post.objects.select_related("thread__community", "author").filter(pk=_id(post_id)).first()
    if post is None:
        raise Http404(_("No such post."))
    thread_for(user, post.thread_id, need=Need.MEMBER)
    if post.is_hidden and not can(user, post.thread.community, Need.COORDINATOR):
        raise Http404(_("No such post."))
    if need > Need.MEMBER:
        community_for(user, post.thread.community.slug, need=need)
    if author and post.author_id != getattr(user, "pk", None):
        raise PermissionDenied(_("Only the author can edit a post."))
    return post
