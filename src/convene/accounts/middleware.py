"""Coordinators setting up two-factor first when the site asks for it (settings.CONVENE_COORDINATOR_2FA).

Loaded only when two-factor is installed (it imports allauth.mfa); the viewer's time zone
middleware lives in zones.py, which every site loads."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .twofactor import must_set_up_two_factor

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
                _(
                    "This site asks coordinators to use two-factor authentication. "
                    "Set up an authenticator app or a security key to continue."
                ),
            )
            return redirect("mfa_index")
        return self.get_response(request)
