"""The .ics calendar file of a session (RFC 5545), built with the icalendar package."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .models import Session, SessionState


def session_calendar(session: Session) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Convene//Convening//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    host = settings.SITE_URL.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "convene"
    event.add("uid", f"session-{session.pk}@{host}")
    event.add("summary", session.title)
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("dtstamp", session.created_at)
    url = settings.SITE_URL.rstrip("/") + reverse("convening:session", args=[session.pk])
    description = "\n\n".join(
        part
        for part in [
            session.purpose,
            _("Times are shown in %(zone)s on the session page.") % {"zone": session.time_zone},
            url,
        ]
        if part
    )
    event.add("description", description)
    event.add("url", url)
    location = ", ".join(part for part in [session.place, session.online_link] if part)
    if location:
        event.add("location", location)
    event.add("status", "CANCELLED" if session.state == SessionState.CANCELLED else "CONFIRMED")
    cal.add_component(event)
    return cal.to_ical()
