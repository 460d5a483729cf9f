"""Pages for attachments: download (fetch-and-authorize, then stream), add, remove.

A download is never a public address: the key is random and the parent is authorized on every
request. Images are shown inline (they are what the page's <img> loads), everything else is an
attachment; the content type comes from the sniffed kind, never from the uploader.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from convene.core.forms import run_service
from convene.core.middleware import UPLOAD_OVERHEAD

from . import services
from .forms import AttachmentForm
from .permissions import attachment_for, parent_for
from .storage import attachment_storage


def file_response(attachment) -> FileResponse:
    """The stored bytes, streamed, with headers that keep a browser from guessing or running them."""
    try:
        handle = attachment_storage().open(attachment.stored_name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("This file is no longer stored.")) from None
    response = FileResponse(
        handle,
        as_attachment=not attachment.is_image,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_GET
def download(request, key):
    return file_response(attachment_for(request.user, key))


def parent_url(kind: str, parent) -> str:
    names = {
        "session": "convening:session",
        "response": "deliberation:detail",
        "project": "projects:detail",
        "thread": "discussions:thread",
    }
    return reverse(names[kind], args=[parent.pk])


def _too_big(request) -> bool:
    """Whether the request is larger than any accepted file could make it. Django has already
    parsed the body for the CSRF check by then (into a temporary file past 2.5 MB): the reverse
    proxy's body limit is what keeps huge uploads out (docs/attachments.md)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > services.max_bytes() + UPLOAD_OVERHEAD


@login_required
def add(request, kind, object_id):
    """The upload form (the parent pages embed it; errors come back here with the form kept)."""
    parent = parent_for(request.user, kind, object_id, add=True)
    back = parent_url(kind, parent)
    status = 200
    if request.method == "POST" and _too_big(request):
        form = AttachmentForm(prefix_id="attach")
        form.add_error(
            "file",
            _("The file is too large: a file can be at most %(limit)s.")
            % {"limit": filesizeformat(services.max_bytes())},
        )
        status = 413
    elif request.method == "POST":
        form = AttachmentForm(request.POST, request.FILES, prefix_id="attach")
        if form.is_valid():
            added = run_service(
                form,
                lambda: services.attachment_add(
                    parent=parent,
                    uploader=request.user,
                    file=form.cleaned_data["file"],
                    alt_text=form.cleaned_data["alt_text"],
                ),
            )
            if added:
                messages.success(request, _("“%(name)s” is attached.") % {"name": added.filename})
                return redirect(back + "#attachments")
        status = 400
    else:
        form = AttachmentForm(prefix_id="attach")
    context = {
        "form": form,
        "parent": parent,
        "back": back,
        "kind": kind,
        "limit": filesizeformat(services.max_bytes()),
        "kinds": services.allowed_text(),
    }
    return render(request, "attachments/add.html", context, status=status)


@login_required
@require_POST
def remove(request, key):
    attachment = attachment_for(request.user, key, remove=True)
    back = parent_url(attachment.parent_kind, attachment.parent)
    name = attachment.filename
    services.attachment_remove(attachment=attachment, actor=request.user)
    messages.success(request, _("“%(name)s” is removed.") % {"name": name})
    return redirect(back + "#attachments")
