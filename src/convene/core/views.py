from django.db.models import Count, Q
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from convene.communities.models import Community, Membership
from convene.communities.permissions import visible_communities

from .home import upcoming_for, waiting_for


def home(request):
    if not request.user.is_authenticated:
        featured = (
            visible_communities(request.user)
            .annotate(n_members=Count("memberships", filter=~Q(memberships__role="guest")))
            .order_by("-n_members")[:6]
        )
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


def healthz(request):
    """For load balancers and process managers: 200 when the app can reach its database."""
    from django.db import connection
    from django.http import JsonResponse

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means "not ready"
        return JsonResponse({"status": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


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
