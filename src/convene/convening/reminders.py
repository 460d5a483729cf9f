"""Reminders sent by `convene remind` (safe to run from cron every few minutes): before sessions,
and for follow-up actions coming due.

A session reminder goes `CONVENE_SESSION_REMINDER_HOURS` (default 24) before the start to everyone
invited who has not said no: a notification in Convene and a mail with the session's `.ics`
attached (one `tasks.send_reminders` task per session builds and sends those mails in the worker, over
one SMTP connection; the notification is stamped as mailed so the mail delivery does not repeat it).
A follow-up action that is not done and falls due today or tomorrow notifies its owner once (its mail, if
any, follows their preferences).

Each reminder is recorded in `SentReminder`, whose unique constraint (session, person, kind)
guarantees that a second run, or two runs at once, send nothing twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from convene.accounts.zones import recipient_zone
from convene.notifications.events import notify_mailed
from convene.notifications.services import notify

from . import tasks
from .mailing import when_text
from .models import ActionStatus, FollowUp, Rsvp, SentReminder, Session, SessionInvitation, SessionState

KIND = "before"


def reminder_hours() -> int:
    return int(getattr(settings, "CONVENE_SESSION_REMINDER_HOURS", 24))


def send_due_reminders(now: datetime) -> int:
    return _session_reminders(now) + _actions_due(now)


def _session_reminders(now: datetime) -> int:
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
        recorded: list[int] = []
        for invitation in due:
            zone = recipient_zone(invitation.user)
            try:
                with transaction.atomic():
                    SentReminder.objects.create(session=session, user=invitation.user, kind=KIND)
                    notify_mailed(
                        recipients=[invitation.user_id],
                        kind="session.reminder",
                        obj=session,
                        text=f"“{session.title}” is coming up on {when_text(session, zone)}"
                        + (f", at {session.place}" if session.place else "")
                        + f". Your answer so far: {invitation.get_rsvp_display().lower()}.",
                        url=reverse("convening:rsvp", args=[session.pk]),
                        community=session.host,
                    )
            except IntegrityError:
                continue  # another run got there first
            recorded.append(invitation.user_id)
            sent += 1
        if recorded:  # the mails with the .ics: one task for the session's batch
            tasks.send_reminders.enqueue(session.pk, recorded)
    return sent


def _actions_due(now: datetime) -> int:
    """Follow-up actions not done whose due date is today or tomorrow: one notification per owner."""
    today = now.date()
    actions = (
        FollowUp.objects.filter(due__gte=today, due__lte=today + timedelta(days=1))
        .exclude(status=ActionStatus.DONE)
        .select_related("session", "session__host")
    )
    sent = 0
    for action in actions:
        try:
            with transaction.atomic():
                SentReminder.objects.create(session=action.session, user_id=action.owner_id, kind=f"due:{action.pk}")
                notify(
                    recipients=[action.owner_id],
                    kind="action.due",
                    obj=action,
                    text=f"Your follow-up action from “{action.session.title}” is due "
                    f"{'today' if action.due == today else 'tomorrow'}: {action.title}.",
                    url=reverse("convening:record", args=[action.session_id]),
                    community=action.session.host,
                )
        except IntegrityError:
            continue
        sent += 1
    return sent
