import sys

from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.defaults import server_error as django_server_error

from convene.communities.models import Community, Membership
from convene.communities.permissions import visible_communities
from convene.privacy.disclosure import exact, people_aggregate

from .health import DATABASE_DOWN, RETRY_AFTER_SECONDS, health_report
from .home import upcoming_for, waiting_for


@people_aggregate
def home(request):
    if not request.user.is_authenticated:
        # a community's size is not private (exact), but a group under 5 is never described
        featured = [
            (c, exact(c.n_members))
            for c in visible_communities(request.user)
            .annotate(n_members=Count("memberships", filter=~Q(memberships__role="guest")))
            .order_by("-n_members", "name")[:6]
        ]
        return render(request, "core/landing.html", {"featured": featured})
    memberships = Membership.objects.filter(user=request.user).select_related("community").order_by("community__name")
    return render(
        request,
        "core/home.html",
        {
            "memberships": memberships,
            "waiting": waiting_for(request.user),
            "upcoming": upcoming_for(request.user),
            "n_communities": Community.objects.count(),
        },
    )


def accessibility(request):
    """The accessibility statement: the target, how it is tested, known gaps, how to report a barrier."""
    return render(request, "core/accessibility.html", {"contact": settings.ACCESSIBILITY_CONTACT})


def healthz(request):
    """For load balancers and process managers: each dependency's state; 503 when a required one is down.

    Required: the database. The cache is reported but not required (it fails open, core/cache.py).
    The task queue reports the age of its oldest waiting task; it is required only when
    `CONVENE_HEALTH_MAX_TASK_AGE` (seconds, 0: off) is set and the oldest task is older.
    """
    report = health_report()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


def server_error(request, *args, **kwargs):
    """handler500: under /api/ the API's JSON format; a database that is unreachable (restarting,
    failed over) is a 503 with Retry-After everywhere, since trying again shortly will work."""
    exc = sys.exc_info()[1]
    api = request.path.startswith("/api/")
    if isinstance(exc, DATABASE_DOWN):
        detail = _("The database is briefly unavailable. Try again in a few seconds.")
        if api:
            response = JsonResponse({"detail": detail, "code": "unavailable"}, status=503)
        else:
            response = HttpResponse(detail, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if api:
        return JsonResponse({"detail": _("Internal server error."), "code": "server_error"}, status=500)
    return django_server_error(request)


# ----------------------------------------------------------------------------- error pages


def _plain_message(exception) -> str:
    """The message a view raised on purpose ("No such project."), never Django's internals
    ("Resolver404", "No Project matches the given query.", a dict of tried patterns)."""
    args = getattr(exception, "args", ())
    message = args[0] if args and isinstance(args[0], str) else ""
    if not message or "matches the given query" in message or len(message) > 300:
        return ""
    return message


def _way_back(request) -> str:
    """The nearest address above this one ("/c/nursing/sessions/42/" -> "/c/nursing/sessions/")."""
    parts = [p for p in request.path.split("/") if p]
    if len(parts) <= 1:
        return ""
    up = "/" + "/".join(parts[:-1]) + "/"
    return up if url_has_allowed_host_and_scheme(up, allowed_hosts={request.get_host()}) else ""


def page_not_found(request, exception=None):
    context = {"message": _plain_message(exception), "up": _way_back(request)}
    return render(request, "404.html", context, status=404)


def permission_denied(request, exception=None):
    context = {"message": _plain_message(exception), "up": _way_back(request)}
    return render(request, "403.html", context, status=403)
