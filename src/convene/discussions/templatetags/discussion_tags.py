"""`{% discussions_about obj kind %}`: the "Discussions" section of a session, joint response or
project page (its latest threads the person may read, and where to start one), in one line."""

from __future__ import annotations

from django import template

from .. import selectors
from ..permissions import ABOUT_KINDS, Need, about_communities, can

register = template.Library()
SHOWN = 5


@register.inclusion_tag("discussions/_about_section.html", takes_context=True)
def discussions_about(context, obj, kind: str):
    if kind not in ABOUT_KINDS:
        raise template.TemplateSyntaxError(f"discussions_about: {kind!r} is not one of {ABOUT_KINDS}")
    user = context["request"].user
    anonymous = bool(getattr(obj, "anonymous", False))
    communities = about_communities(kind, obj)
    taking_part = any(can(user, c, Need.MEMBER) for c in communities)
    threads = [] if anonymous or not taking_part else list(selectors.threads_about(user, obj, communities)[:SHOWN])
    return {"kind": kind, "obj": obj, "anonymous": anonymous, "taking_part": taking_part, "threads": threads}
