"""Building convening's mail: the invitations (to members and to e-mail addresses) and the reminders,
each with the session's `.ics` attached. Only builds messages; `convening.tasks` sends them from the
worker, and `services.mail` names what a request enqueues. Every word goes through gettext: each
message is built in its recipient's language (their profile's, else the site's)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from convene.accounts.languages import recipient_language
from convene.accounts.zones import recipient_zone
from convene.core.text import header_safe

from .models import EmailInvitation, Session, SessionInvitation

# How mail and notifications write a session's start (Django date syntax; each language has its own).
WHEN_FORMAT = pgettext_lazy("date format of a session's start in mail, Django date syntax", "l d F Y, H:i")


def site_url(name: str, *args) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def when_text(session: Session, zone: str | None = None) -> str:
    """The session's start in its own zone; given a recipient's zone that differs, in theirs first."""
    own = f"{date_format(session.local_start, WHEN_FORMAT)} ({session.time_zone})"
    if not zone or zone == session.time_zone:
        return own
    with timezone.override(zone):
        theirs = timezone.localtime(session.starts_at)
    return _("%(theirs)s (%(zone)s); in the session's own zone: %(own)s") % {
        "theirs": date_format(theirs, WHEN_FORMAT),
        "zone": zone,
        "own": own,
    }


def _message(session: Session, subject: str, body: str, address: str, calendar: bytes | None) -> EmailMessage:
    message = EmailMessage(subject=header_safe(f"[Convene] {subject}")[:250], body=body, to=[address])
    if calendar:
        message.attach(f"session-{session.pk}.ics", calendar, "text/calendar")
    return message


def _about(session: Session) -> dict:
    return {"host": session.host.name, "title": session.title, "activity": session.activity_name}


def _where(session: Session, *, online: bool = True) -> str:
    return (_("Where: %(place)s") % {"place": session.place} + "\n" if session.place else "") + (
        _("Online: %(link)s") % {"link": session.online_link} + "\n" if online and session.online_link else ""
    )


def invitation_message(session: Session, invitation: SessionInvitation, calendar: bytes | None) -> EmailMessage:
    with translation.override(recipient_language(invitation.user)):
        return _invitation_message(session, invitation, calendar)


def _invitation_message(session: Session, invitation: SessionInvitation, calendar: bytes | None) -> EmailMessage:
    body = (
        _("%(host)s invites you to “%(title)s” (%(activity)s).") % _about(session)
        + "\n\n"
        + _("When: %(when)s") % {"when": when_text(session, recipient_zone(invitation.user))}
        + "\n"
        + _where(session)
        + "\n"
        + _(
            "Please answer yes, no or maybe, and tell the coordinator privately about any access or care "
            "needs:\n%(link)s"
        )
        % {"link": site_url("convening:rsvp", session.pk)}
        + "\n"
    )
    subject = _("Invitation: %(title)s") % {"title": session.title}
    return _message(session, subject, body, invitation.user.email, calendar)


def email_invitation_message(session: Session, invitation: EmailInvitation) -> EmailMessage:
    body = (
        _("%(host)s invites you to “%(title)s” (%(activity)s).") % _about(session)
        + "\n\n"
        + _("When: %(when)s") % {"when": when_text(session)}
        + "\n"
        + _where(session, online=False)
        + "\n"
        + _("To accept, open this link and sign in, or create an account if you do not have one yet:")
        + "\n"
        + site_url("convening:email_invitation", invitation.token)
        + "\n\n"
        + _("Nobody at the session learns anything about you until you accept.")
        + "\n"
    )
    subject = _("Invitation: %(title)s") % {"title": session.title}
    return _message(session, subject, body, invitation.email, None)


def reminder_message(session: Session, invitation: SessionInvitation, calendar: bytes) -> EmailMessage:
    with translation.override(recipient_language(invitation.user)):
        return _reminder_message(session, invitation, calendar)


def _reminder_message(session: Session, invitation: SessionInvitation, calendar: bytes) -> EmailMessage:
    zone = recipient_zone(invitation.user)
    body = (
        _("“%(title)s” is coming up: %(when)s.") % {"title": session.title, "when": when_text(session, zone)}
        + "\n"
        + _where(session)
        + "\n"
        + _("Your answer so far: %(answer)s. Change it or add access needs here:")
        % {"answer": invitation.get_rsvp_display().lower()}
        + "\n"
        + site_url("convening:rsvp", session.pk)
        + "\n\n"
        + _("The session is attached as a calendar file.")
        + "\n"
    )
    subject = _("Reminder: %(title)s") % {"title": session.title}
    return _message(session, subject, body, invitation.user.email, calendar)
