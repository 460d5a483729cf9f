"""Personal time zones: which zone a viewer or a recipient sees times in.

The viewer's zone is their profile's, else the zone their browser reported on a first visit (the
`convene_tz` cookie set by static/js/convene.js), else settings.TIME_ZONE. Only names from
`zoneinfo.available_timezones()` are ever used; anything else is ignored.
"""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from django.conf import settings
from django.utils import timezone

COOKIE = "convene_tz"


@cache
def known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_zone(name: str | None) -> bool:
    return bool(name) and name in known_zones()


def profile_zone(user) -> str:
    """The zone the person chose in their profile, or "" (never set, or not signed in)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    profile = getattr(user, "profile", None)  # the related profile may not exist yet
    zone = getattr(profile, "time_zone", "") if profile is not None else ""
    return zone if is_zone(zone) else ""


def viewer_zone(user, cookie: str | None = None) -> str:
    """Profile zone first, then a valid browser cookie, then the site's default."""
    return profile_zone(user) or (cookie if is_zone(cookie) else "") or settings.TIME_ZONE


def recipient_zone(user) -> str:
    """The zone to write times in for a person who is not looking at a page (e-mails)."""
    return profile_zone(user) or settings.TIME_ZONE


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
