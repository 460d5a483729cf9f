"""The coordinators' message page, shared by the community, session and project views: the form for
one kind of group, sent through the app's own service, then a flash message and a redirect."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import ngettext

from convene.core.forms import run_service

from .events import AUDIENCES
from .forms import MessageForm


def message_form_handle(
    request, *, group: str, send: Callable[..., int], done: str
) -> tuple[MessageForm, HttpResponse | None]:
    """The message form for `group` ("community", "session" or "project") bound to the request. On
    a valid POST, `send(audience=…, text=…)` (the app's `<entity>_message_send`, returning how many
    people it reaches) runs; on success the answer is a redirect to `done`, else None and the form
    carries the refusal."""
    form = MessageForm(request.POST or None, audiences=AUDIENCES[group])
    if request.method == "POST" and form.is_valid():
        reached = run_service(form, lambda: send(**form.cleaned_data))
        if reached is not None:
            messages.success(
                request,
                ngettext("Message sent to %(count)d person.", "Message sent to %(count)d people.", reached)
                % {"count": reached},
            )
            return form, redirect(done)
    return form, None
