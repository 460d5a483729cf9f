"""`{% attachments_panel kind parent %}`: the files of a session, response, project or thread,
with the upload form for those who may add (the parent pages include it in one line)."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import filesizeformat

from .. import selectors, services
from ..forms import AttachmentForm
from ..permissions import may_add, may_remove

register = template.Library()


@register.inclusion_tag("attachments/_panel.html", takes_context=True)
def attachments_panel(context, kind: str, parent):
    user = context["request"].user
    items = list(selectors.of_parent(kind, parent))
    for item in items:
        setattr(item, kind, parent)
        item.uploader = selectors.uploader_name(item)
        item.url = selectors.download_url(item)
        item.removable = may_remove(user, item, parent)
    can_add = may_add(user, kind, parent)
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "kind": kind,
        "parent": parent,
        "items": items,
        "can_add": can_add,
        "form": AttachmentForm(prefix_id=f"attach-{kind}") if can_add else None,
        "limit": filesizeformat(services.max_bytes()),
        "kinds": services.allowed_text(),
    }
