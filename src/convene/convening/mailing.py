"""Building convening's mail: the invitations (to members and to e-mail addresses) and the reminders,
each with the session's `.ics` attached. Only builds messages; `convening.tasks` sends them from the
worker, and `services.mail` names what a request enqueues."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone

from convene.accounts.zones import recipient_zone
from convene.core.text import header_safe

from .models import EmailInvitation, Session, SessionInvitation


def site_url(name: str, *args) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def when_text(session: Session, zone: str | None = None) -> str:
    """The session's start in its own zone; given a recipient's zone that differs, in theirs first."""
    own = f"{session.local_start:%A %d %B %Y, %H:%M} ({session.time_zone})"
    if not zone or zone == session.time_zone:
        return own
    with timezone.override(zone):
        theirs = timezone.localtime(session.starts_at)
    return f"{theirs:%A %d %B %Y, %H:%M} ({zone}); in the session's own zone: {own}"


def _message(session: Session, subject: str, body: str, address: str, calendar: bytes | None) -> EmailMessage:
    message = EmailMessage(subject=header_safe(f"[Convene] {subject}")[:250], body=body, to=[address])
    if calendar is not None:
        message.attach(f"session-{session.pk}.ics", calendar, "text/calendar")
    return message


def invitation_message(session: Session, invitation: SessionInvitation, calendar: bytes | None) -> EmailMessage:
    link = site_url("convening:rsvp", session.pk)
    body = (
        f"{session.host.name} invites you to “{session.title}” ({session.activity_name}).\n\n"
        f"When: {when_text(session, recipient_zone(invitation.user))}\n"
        + (f"Where: {session.place}\n" if session.place else "")
        + (f"Online: {session.online_link}\n" if session.online_link else "")
        + "\nPlease answer yes, no or maybe, and tell the coordinator privately about any access or care "
        f"needs:\n{link}\n"
    )
    return _message(session, f"Invitation: {session.title}", body, invitation.user.email, calendar)


def email_invitation_message(session: Session, invitation: EmailInvitation) -> EmailMessage:
    body = (
        f"{session.host.name} invites you to “{session.title}” ({session.activity_name}).\n\n"
        f"When: {when_text(session)}\n"
        + (f"Where: {session.place}\n" if session.place else "")
        + "\nTo accept, open this link and sign in, or create an account if you do not have one yet:\n"
        f"{site_url('convening:email_invitation', invitation.token)}\n\n"
        "Nobody at the session learns anything about you until you accept.\n"
    )
    return _message(session, f"Invitation: {session.title}", body, invitation.email, None)


def reminder_message(session: Session, invitation: SessionInvitation, calendar: bytes) -> EmailMessage:
    zone = recipient_zone(invitation.user)
    body = (
        f"“{session.title}” is coming up: {when_text(session, zone)}.\n"
        + (f"Where: {session.place}\n" if session.place else "")
        + (f"Online: {session.online_link}\n" if session.online_link else "")
        + f"\nYour answer so far: {invitation.get_rsvp_display().lower()}. "
        f"Change it or add access needs here:\n{site_url('convening:rsvp', session.pk)}\n\n"
        "The session is attached as a calendar file.\n"
    )
    return _message(session, f"Reminder: {session.title}", body, invitation.user.email, calendar)
