"""Dates and times with their zone: every time on a page says which zone it is in.

Pages render in the viewer's zone (accounts.zones.ViewerTimeZoneMiddleware activates it), so
`{{ value|zoned:"j F Y, H:i" }}` shows the value there, followed by the zone's name. A session's own
time is shown in the session's zone, and also in the viewer's when the two differ (`session_when`).

Formats follow the language: templates pass them translatable, `{{ value|zoned:_("j M Y H:i") }}`,
and each catalogue gives the language's own order (zh-hans: "Y年n月j日 H:i"); month and day names
come from Django's own translations.
"""

from __future__ import annotations

from django import template
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

register = template.Library()


@register.filter(expects_localtime=True)
def zoned(value, fmt: str | None = None) -> str:
    """`value` (already in the active zone) formatted as `fmt`, then the active zone's name."""
    if value in (None, ""):
        return ""
    # Translators: the default date format of times on pages: "5 December 2026, 14:30".
    fmt = fmt or _("j F Y, H:i")
    return f"{dateformat.format(value, fmt)} ({timezone.get_current_timezone_name()})"


@register.simple_tag
def session_when(session, fmt: str | None = None, end: bool = False) -> str:
    """The session's start (and end) in its own zone; then in the viewer's, when that zone differs."""
    # Translators: a session's start: "Saturday 5 December 2026, 14:30".
    fmt = fmt or _("l j F Y, H:i")
    text = dateformat.format(session.local_start, fmt)
    if end:
        text += f" – {dateformat.format(session.local_end, 'H:i')}"
    text += f" ({session.time_zone})"
    viewer = timezone.get_current_timezone_name()
    if viewer != session.time_zone:
        mine = dateformat.format(timezone.localtime(session.starts_at), fmt)
        if end:
            mine += f" – {dateformat.format(timezone.localtime(session.ends_at), 'H:i')}"
        text += _("; your time: %(when)s (%(zone)s)") % {"when": mine, "zone": viewer}
    return text
