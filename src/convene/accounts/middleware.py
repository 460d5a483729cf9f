"""Per-request account concerns: the viewer's time zone, and coordinators setting up two-factor first
when the site asks for it (settings.CONVENE_COORDINATOR_2FA)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone

from .twofactor import must_set_up_two_factor
from .zones import COOKIE, viewer_zone

# Where a coordinator without two-factor may still go: the account pages (to set it up or sign out),
# the API (personal tokens are a separate credential, see docs/sso.md) and static files.
OPEN_PREFIXES = ("/accounts/", "/api/", "/static/")


class CoordinatorTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(OPEN_PREFIXES) and must_set_up_two_factor(request.user):
            messages.warning(
                request,
                "This site asks coordinators to use two-factor authentication. "
                "Set up an authenticator app or a security key to continue.",
            )
            return redirect("mfa_index")
        return self.get_response(request)


class ViewerTimeZoneMiddleware:
    """Render every time in the viewer's zone: profile zone, else the browser's (cookie), else the site's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = viewer_zone(request.user, request.COOKIES.get(COOKIE))
        request.time_zone = zone
        timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
