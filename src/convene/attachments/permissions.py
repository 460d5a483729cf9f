"""Fetch-and-authorize helpers: an attachment is seen by whoever may see its parent.

Reading follows the parent's own helper (so a file answers 404 or 403 exactly where its session,
joint response, project or thread does). Adding:
- a session's files: coordinators of the host community (session MANAGE);
- a joint response's: coordinators of its communities (Need.COORDINATOR);
- a project's: coordinators of its communities (Access.MANAGE);
- a thread's: the members who may reply in it (its community's members and coordinators).
Removing: the person who uploaded it, or whoever may add to the parent except, for a thread,
where removing someone else's file is for the community's coordinators.
A key that does not exist, or one of a parent the caller may not see, is 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from convene.communities.permissions import Need, can
from convene.convening.permissions import SessionNeed, session_for
from convene.deliberation.permissions import response_for
from convene.discussions.permissions import thread_for
from convene.projects.permissions import Access, project_for

from .models import PARENTS, Attachment


def parent_for(user, kind: str, object_id, *, add: bool = False):
    """The session, joint response, project or thread, if the person may see it (or add to it)."""
    if kind == "session":
        return session_for(user, object_id, need=SessionNeed.MANAGE if add else SessionNeed.VIEW)
    if kind == "response":
        return response_for(user, object_id, need=Need.COORDINATOR if add else Need.GUEST)
    if kind == "project":
        return project_for(user, object_id, need=Access.MANAGE if add else Access.VIEW)
    if kind == "thread":
        return thread_for(user, object_id)
    raise Http404(_("Files can only belong to a session, a joint response, a project or a thread."))


def may_add(user, kind: str, parent) -> bool:
    """Whether `user`, who can see `parent`, may add files to it (for showing the form)."""
    try:
        parent_for(user, kind, parent.pk, add=True)
    except (PermissionDenied, Http404):
        return False
    return not (kind == "thread" and parent.is_hidden)


def may_remove(user, attachment: Attachment, parent) -> bool:
    if attachment.uploaded_by_id is not None and attachment.uploaded_by_id == getattr(user, "pk", None):
        return True
    if attachment.parent_kind == "thread":
        return can(user, parent.community, Need.COORDINATOR)
    return may_add(user, attachment.parent_kind, parent)


def attachment_for(user, key, *, remove: bool = False) -> Attachment:
    """The attachment with this key, if the person may see its parent (and remove it, if asked)."""
    key = str(key or "")[:64]
    found = Attachment.objects.select_related("uploaded_by").filter(key=key).first() if key else None
    if found is None:
        raise Http404(_("No such file."))
    kind = found.parent_kind
    parent = parent_for(user, kind, found.parent_id)
    setattr(found, kind, parent)  # the parent as fetched, for names and links
    if remove and not may_remove(user, found, parent):
        raise PermissionDenied(_("Only the person who added this file or a coordinator can remove it."))
    return found


__all__ = ["PARENTS", "attachment_for", "may_add", "may_remove", "parent_for"]
