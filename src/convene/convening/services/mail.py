"""The mail convening sends: invitations when a session's invitations go out, and the helpers
the cancellation notice and the reminders (`convening.reminders`) use."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from convene.accounts.zones import recipient_zone
from convene.core.text import header_safe

from ..models import (
    EmailInvitation,
    Session,
    SessionInvitation,
)


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


def mail_send(subject: str, body: str, recipients: Sequence[str]) -> None:
    if recipients:
        subject = header_safe(f"[Convene] {subject}")  # titles may predate the one-line rule
        send_mail(subject=subject, message=body, from_email=None, recipient_list=list(recipients))


def invitations_send(session_id: int) -> None:
    session = Session.objects.select_related("host").get(pk=session_id)
    pending = session.invitations.filter(mailed_at__isnull=True).select_related("user")
    link = site_url("convening:rsvp", session.pk)
    for invitation in pending:
        mail_send(
            f"Invitation: {session.title}",
            (
                f"{session.host.name} invites you to “{session.title}” ({session.activity_name}).\n\n"
                f"When: {when_text(session, recipient_zone(invitation.user))}\n"
                + (f"Where: {session.place}\n" if session.place else "")
                + (f"Online: {session.online_link}\n" if session.online_link else "")
                + f"\nPlease answer yes, no or maybe, and tell the coordinator privately about any access or care "
                f"needs:\n{link}\n"
            ),
            [invitation.user.email],
        )
        SessionInvitation.objects.filter(pk=invitation.pk).update(mailed_at=timezone.now())
    for invitation in session.email_invitations.filter(mailed_at__isnull=True, accepted_at__isnull=True):
        mail_send(
            f"Invitation: {session.title}",
            (
                f"{session.host.name} invites you to “{session.title}” ({session.activity_name}).\n\n"
                f"When: {when_text(session)}\n"
                + (f"Where: {session.place}\n" if session.place else "")
                + "\nTo accept, open this link and sign in, or create an account if you do not have one yet:\n"
                f"{site_url('convening:email_invitation', invitation.token)}\n\n"
                "Nobody at the session learns anything about you until you accept.\n"
            ),
            [invitation.email],
        )
        EmailInvitation.objects.filter(pk=invitation.pk).update(mailed_at=timezone.now())
