"""The activity catalogue as pages show it, and the link to an activity's tool."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from ..models import (
    ActivityType,
    Session,
)


def tool_link(session_or_activity) -> str | None:
    """The page that opens the activity's tool (a deliberation, a project), if that app provides it."""
    activity = getattr(session_or_activity, "activity", session_or_activity)
    session = session_or_activity if isinstance(session_or_activity, Session) else None
    name = activity.tool_url_name
    if not name:
        return None
    attempts = [{}]
    if session is not None:
        attempts.append({"slug": session.host.slug})
    for kwargs in attempts:
        try:
            url = reverse(name, kwargs=kwargs or None)
        except NoReverseMatch:
            continue
        return f"{url}?session={session.pk}" if session is not None else url
    return None


def catalogue():
    return ActivityType.objects.filter(active=True).select_related("parent").prefetch_related("variations")
