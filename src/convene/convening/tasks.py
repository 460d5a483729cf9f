"""Convening's mail, sent by the django-tasks worker: a request (or `convene remind`) only enqueues.

`send_invitations(session_id)` mails every invitation of the session not mailed yet (members with
the session's `.ics`, e-mail addresses with their accept link) over one SMTP connection, stamps each
invitation's `mailed_at` as it goes out, and retries the passing failures with the notifications'
backoff; a second run sends nothing twice. `send_reminders(session_id, user_ids)` does the same for
the reminders `convene remind` recorded.
"""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from convene.notifications.mail import send_batch
from convene.notifications.tasks import retry_later

from . import mailing
from .ics import session_calendar
from .models import EmailInvitation, Session, SessionInvitation


def _is_retry(problem: str | None) -> bool:
    return bool(problem) and problem.startswith("retry")


@task()
def send_invitations(session_id: int, attempt: int = 1) -> dict:
    session = Session.objects.select_related("host").filter(pk=session_id).first()
    if session is None:
        return {"sent": 0, "failed": 0, "retried": False}
    members = list(session.invitations.filter(mailed_at__isnull=True).select_related("user").order_by("pk"))
    by_address = list(session.email_invitations.filter(mailed_at__isnull=True, accepted_at__isnull=True).order_by("pk"))
    calendar = session_calendar(session) if members else None
    messages = [mailing.invitation_message(session, i, calendar) for i in members]
    messages += [mailing.email_invitation_message(session, i) for i in by_address]
    problems = send_batch(messages)
    now = timezone.now()
    done_members = [i.pk for i, p in zip(members, problems[: len(members)], strict=True) if p is None]
    done_addresses = [i.pk for i, p in zip(by_address, problems[len(members) :], strict=True) if p is None]
    SessionInvitation.objects.filter(pk__in=done_members).update(mailed_at=now)
    EmailInvitation.objects.filter(pk__in=done_addresses).update(mailed_at=now)
    failed = sum(1 for p in problems if _is_retry(p))
    retried = bool(failed) and retry_later(send_invitations, session_id, attempt=attempt)
    return {"sent": len(done_members) + len(done_addresses), "failed": failed, "retried": retried}


@task()
def send_reminders(session_id: int, user_ids: list[int], attempt: int = 1) -> dict:
    session = Session.objects.select_related("host").filter(pk=session_id).first()
    if session is None:
        return {"sent": 0, "failed": 0, "retried": False}
    invitations = list(
        SessionInvitation.objects.filter(session=session, user_id__in=user_ids).select_related("user").order_by("pk")
    )
    calendar = session_calendar(session)
    problems = send_batch([mailing.reminder_message(session, i, calendar) for i in invitations])
    again = [i.user_id for i, p in zip(invitations, problems, strict=True) if _is_retry(p)]
    retried = bool(again) and retry_later(send_reminders, session_id, again, attempt=attempt)
    return {"sent": problems.count(None), "failed": len(again), "retried": retried}
