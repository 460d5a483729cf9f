"""The notification centre, the header badge, mail preferences and the signed unsubscribe page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from convene.core.errors import ServiceError

from . import mail, selectors, services
from .kinds import KINDS, Delivery

PER_PAGE = 30


def _safe_target(url: str) -> str | None:
    """Only a path on this site: a notification's link never leaves Convene."""
    if url.startswith("/") and not url.startswith("//") and url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return url
    return None


@login_required
@require_GET
def centre(request):
    unread_only = request.GET.get("show") == "unread"
    page = Paginator(selectors.inbox(request.user, unread_only=unread_only), PER_PAGE).get_page(request.GET.get("page"))
    items = [(n, selectors.kind_label(n.kind), _safe_target(n.url) is not None) for n in page.object_list]
    return render(
        request,
        "notifications/centre.html",
        {
            "page_obj": page,
            "items": items,
            "unread_only": unread_only,
            "unread": selectors.unread_count(request.user),
            "query_string": "show=unread" if unread_only else "",
            "nav": "notifications",
        },
    )


@login_required
@require_GET
def badge(request):
    """The header badge (htmx polls it): one COUNT query. `shown` is the count on the page; when the
    count grew, the answer also fills the live region, so a screen reader hears the news once."""
    count = selectors.unread_count(request.user)
    shown = request.GET.get("shown", "")
    announce = shown.isdigit() and count > int(shown)
    return render(request, "notifications/_badge.html", {"count": count, "announce": announce})


@login_required
@require_GET
def open_notification(request, notification_id: int):
    notification = selectors.notification_of(request.user, notification_id)
    if notification is None:
        raise Http404(_("No such notification."))
    services.notifications_mark_read(user=request.user, ids=[notification.pk])
    return redirect(_safe_target(notification.url) or "notifications:list")


@login_required
@require_POST
def read_one(request, notification_id: int):
    if selectors.notification_of(request.user, notification_id) is None:
        raise Http404(_("No such notification."))
    services.notifications_mark_read(user=request.user, ids=[notification_id])
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    messages.success(request, _("Marked as read."))
    return redirect(_back(request))


@login_required
@require_POST
def read_all(request):
    count = services.notifications_mark_read(user=request.user)
    messages.success(
        request,
        ngettext("Marked %(count)d notification as read.", "Marked %(count)d notifications as read.", count)
        % {"count": count},
    )
    return redirect(_back(request))


def _back(request) -> str:
    return "notifications:list" if request.POST.get("show") != "unread" else "/notifications/?show=unread"


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    if request.method == "POST":
        choices = {code: request.POST.get(code, "") for code in KINDS if code in request.POST}
        try:
            services.preferences_set(user=request.user, choices=choices)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your mail preferences are saved."))
            return redirect("notifications:preferences")
    rows = selectors.preferences_for(request.user)
    return render(
        request,
        "notifications/preferences.html",
        {"rows": rows, "deliveries": Delivery.choices, "nav": "profile"},
    )


@csrf_exempt  # RFC 8058: mail programs POST the one-click unsubscribe without a session or a token
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """A signed link from a mail: GET asks to confirm, POST turns the kind off, logged in or not."""
    target = mail.unsubscribe_target(token)
    if target is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    user_id, kind = target
    digest = kind.startswith(mail.DIGEST_PREFIX)
    if digest:
        daily = kind.removeprefix(mail.DIGEST_PREFIX) == Delivery.DAILY
        what = _("the daily digest") if daily else _("the weekly digest")
    else:
        what = _("“%(kind)s”") % {"kind": KINDS[kind].label}
    if request.method == "POST":
        services.unsubscribe(user_id=user_id, kind=kind)
        return render(request, "notifications/unsubscribe.html", {"done": True, "what": what, "token": token})
    return render(request, "notifications/unsubscribe.html", {"what": what, "token": token})
