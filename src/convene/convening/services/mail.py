"""The mail convening sends: invitations when a session's invitations go out, and the helpers
the cancellation notice and the reminders (`convening.reminders`) use."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from convene.accounts.zones import recipient_zone
from convene.core.text import header_safe

from ..models import (
    EmailInvitation,
    Session,
    SessionInvitation,
)


def site_url(name: str, *args) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


# How mail and notifications write a session's start (Django date syntax; each language has its own).
WHEN_FORMAT = pgettext_lazy("date format of a session's start in mail, Django date syntax", "l d F Y, H:i")


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


def mail_send(subject: str, body: str, recipients: Sequence[str]) -> None:
    if recipients:
        subject = header_safe(f"[Convene] {subject}")  # titles may predate the one-line rule
        send_mail(subject=subject, message=body, from_email=None, recipient_list=list(recipients))


def _about(session: Session) -> dict:
    return {"host": session.host.name, "title": session.title, "activity": session.activity_name}


def invitations_send(session_id: int) -> None:
    session = Session.objects.select_related("host").get(pk=session_id)
    pending = session.invitations.filter(mailed_at__isnull=True).select_related("user")
    link = site_url("convening:rsvp", session.pk)
    for invitation in pending:
        mail_send(
            _("Invitation: %(title)s") % {"title": session.title},
            (
                _("%(host)s invites you to “%(title)s” (%(activity)s).") % _about(session)
                + "\n\n"
                + _("When: %(when)s") % {"when": when_text(session, recipient_zone(invitation.user))}
                + "\n"
                + (_("Where: %(place)s") % {"place": session.place} + "\n" if session.place else "")
                + (_("Online: %(link)s") % {"link": session.online_link} + "\n" if session.online_link else "")
                + "\n"
                + _(
                    "Please answer yes, no or maybe, and tell the coordinator privately about any access or care "
                    "needs:\n%(link)s"
                )
                % {"link": link}
                + "\n"
            ),
            [invitation.user.email],
        )
        SessionInvitation.objects.filter(pk=invitation.pk).update(mailed_at=timezone.now())
    for invitation in session.email_invitations.filter(mailed_at__isnull=True, accepted_at__isnull=True):
        mail_send(
            _("Invitation: %(title)s") % {"title": session.title},
            (
                _("%(host)s invites you to “%(title)s” (%(activity)s).") % _about(session)
                + "\n\n"
                + _("When: %(when)s") % {"when": when_text(session)}
                + "\n"
                + (_("Where: %(place)s") % {"place": session.place} + "\n" if session.place else "")
                + "\n"
                + _("To accept, open this link and sign in, or create an account if you do not have one yet:")
                + "\n"
                + site_url("convening:email_invitation", invitation.token)
                + "\n\n"
                + _("Nobody at the session learns anything about you until you accept.")
                + "\n"
            ),
            [invitation.email],
        )
        EmailInvitation.objects.filter(pk=invitation.pk).update(mailed_at=timezone.now())
