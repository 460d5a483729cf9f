"""Reminder mails before sessions, sent by `convene remind` (safe to run from cron every few minutes).

Each sent reminder is recorded in `SentReminder`, whose unique constraint (session, person, kind)
guarantees that a second run, or two runs at once, send nothing twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from .models import Rsvp, SentReminder, Session, SessionInvitation, SessionState
from .services.mail import mail_send, site_url, when_text

KIND = "before"


def reminder_hours() -> int:
    return int(getattr(settings, "CONVENE_SESSION_REMINDER_HOURS", 48))


def send_due_reminders(now: datetime) -> int:
    horizon = now + timedelta(hours=reminder_hours())
    sessions = Session.objects.filter(
        state__in=[SessionState.INVITATIONS_SENT, SessionState.IN_PROGRESS], starts_at__gt=now, starts_at__lte=horizon
    ).select_related("host")
    sent = 0
    for session in sessions:
        due = (
            SessionInvitation.objects.filter(session=session, rsvp__in=[Rsvp.YES, Rsvp.MAYBE, Rsvp.PENDING])
            .exclude(user__in=SentReminder.objects.filter(session=session, kind=KIND).values("user"))
            .select_related("user")
        )
        for invitation in due:
            try:
                with transaction.atomic():
                    SentReminder.objects.create(session=session, user=invitation.user, kind=KIND)
                    mail_send(
                        f"Reminder: {session.title}",
                        (
                            f"“{session.title}” is coming up: {when_text(session)}.\n"
                            + (f"Where: {session.place}\n" if session.place else "")
                            + (f"Online: {session.online_link}\n" if session.online_link else "")
                            + f"\nYour answer so far: {invitation.get_rsvp_display().lower()}. "
                            f"Change it or add access needs here:\n{site_url('convening:rsvp', session.pk)}\n"
                        ),
                        [invitation.user.email],
                    )
            except IntegrityError:
                continue  # another run got there first
            sent += 1
    return sent
