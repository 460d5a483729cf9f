"""Dates and times with their zone: every time on a page says which zone it is in.

Pages render in the viewer's zone (accounts.zones.ViewerTimeZoneMiddleware activates it), so
`{{ value|zoned:"j F Y, H:i" }}` shows the value there, followed by the zone's name. A session's own
time is shown in the session's zone, and also in the viewer's when the two differ (`session_when`).
"""

from __future__ import annotations

from django import template
from django.utils import dateformat, timezone

register = template.Library()

DEFAULT = "j F Y, H:i"


@register.filter(expects_localtime=True)
def zoned(value, fmt: str = DEFAULT) -> str:
    """`value` (already in the active zone) formatted as `fmt`, then the active zone's name."""
    if value in (None, ""):
        return ""
    return f"{dateformat.format(value, fmt)} ({timezone.get_current_timezone_name()})"


@register.simple_tag
def session_when(session, fmt: str = "l j F Y, H:i", end: bool = False) -> str:
    """The session's start (and end) in its own zone; then in the viewer's, when that zone differs."""
    text = dateformat.format(session.local_start, fmt)
    if end:
        text += f" – {dateformat.format(session.local_end, 'H:i')}"
    text += f" ({session.time_zone})"
    viewer = timezone.get_current_timezone_name()
    if viewer != session.time_zone:
        mine = dateformat.format(timezone.localtime(session.starts_at), fmt)
        if end:
            mine += f" – {dateformat.format(timezone.localtime(session.ends_at), 'H:i')}"
        text += f"; your time: {mine} ({viewer})"
    return text
