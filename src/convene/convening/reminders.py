"""Reminders sent by `convene remind` (safe to run from cron every few minutes): before sessions,
and for follow-up actions coming due.

A session reminder goes `CONVENE_SESSION_REMINDER_HOURS` (default 24) before the start to everyone
invited who has not said no: a notification in Convene and a mail with the session's `.ics`
attached (the mail is sent here, so the calendar file travels with it; the notification is stamped
as mailed so the mail delivery does not repeat it). A follow-up action that is not done and falls
due today or tomorrow notifies its owner once (its mail, if any, follows their preferences).

Each reminder is recorded in `SentReminder`, whose unique constraint (session, person, kind)
guarantees that a second run, or two runs at once, send nothing twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from convene.accounts.zones import recipient_zone
from convene.core.text import header_safe
from convene.notifications.events import notify_mailed
from convene.notifications.services import notify

from .ics import session_calendar
from .models import ActionStatus, FollowUp, Rsvp, SentReminder, Session, SessionInvitation, SessionState
from .services.mail import site_url, when_text

KIND = "before"


def reminder_hours() -> int:
    return int(getattr(settings, "CONVENE_SESSION_REMINDER_HOURS", 24))


def _mail_with_calendar(session: Session, subject: str, body: str, address: str, calendar: bytes) -> None:
    message = EmailMessage(subject=header_safe(f"[Convene] {subject}"), body=body, to=[address])
    message.attach(f"session-{session.pk}.ics", calendar, "text/calendar")
    message.send()


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
        calendar = session_calendar(session)
        for invitation in due:
            zone = recipient_zone(invitation.user)
            try:
                with transaction.atomic():
                    SentReminder.objects.create(session=session, user=invitation.user, kind=KIND)
                    notify_mailed(
                        recipients=[invitation.user_id],
                        kind="session.reminder",
                        obj=session,
                        text=(
                            _("“%(title)s” is coming up on %(when)s, at %(place)s. Your answer so far: %(answer)s.")
                            if session.place
                            else _("“%(title)s” is coming up on %(when)s. Your answer so far: %(answer)s.")
                        )
                        % {
                            "title": session.title,
                            "when": when_text(session, zone),
                            "place": session.place,
                            "answer": invitation.get_rsvp_display().lower(),
                        },
                        url=reverse("convening:rsvp", args=[session.pk]),
                        community=session.host,
                    )
                    _mail_with_calendar(
                        session,
                        _("Reminder: %(title)s") % {"title": session.title},
                        (
                            _("“%(title)s” is coming up: %(when)s.")
                            % {"title": session.title, "when": when_text(session, zone)}
                            + "\n"
                            + (_("Where: %(place)s") % {"place": session.place} + "\n" if session.place else "")
                            + (
                                _("Online: %(link)s") % {"link": session.online_link} + "\n"
                                if session.online_link
                                else ""
                            )
                            + "\n"
                            + _("Your answer so far: %(answer)s. Change it or add access needs here:")
                            % {"answer": invitation.get_rsvp_display().lower()}
                            + "\n"
                            + site_url("convening:rsvp", session.pk)
                            + "\n\n"
                            + _("The session is attached as a calendar file.")
                            + "\n"
                        ),
                        invitation.user.email,
                        calendar,
                    )
            except IntegrityError:
                continue  # another run got there first
            sent += 1
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
                    text=(
                        _("Your follow-up action from “%(session)s” is due today: %(action)s.")
                        if action.due == today
                        else _("Your follow-up action from “%(session)s” is due tomorrow: %(action)s.")
                    )
                    % {"session": action.session.title, "action": action.title},
                    url=reverse("convening:record", args=[action.session_id]),
                    community=action.session.host,
                )
        except IntegrityError:
            continue
        sent += 1
    return sent
