from django.db.models import Count, Q
from django.shortcuts import render

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
