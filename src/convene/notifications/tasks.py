"""Mail delivery in the background (django-tasks): one task per `notify()` batch, retried with backoff.

The immediate backend (development, tests) runs a task when it is enqueued, after the transaction
commits; in production the database backend's worker (`convene db_worker`) runs it, so a request
that notifies a whole community only writes rows and enqueues one task.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from . import mail
from .kinds import Delivery

MAX_ATTEMPTS = 5
BACKOFF_SECONDS = 60  # 1, 4, 16, 64 minutes between attempts


def backoff(attempt: int) -> dt.timedelta:
    return dt.timedelta(seconds=BACKOFF_SECONDS * 4 ** (attempt - 1))


@task()
def deliver_notifications(ids: list[int], attempt: int = 1) -> dict:
    """Mail these notifications; enqueue a later attempt for those that met a passing failure."""
    outcome = mail.deliver(ids)
    retried = False
    if outcome.retry and attempt < MAX_ATTEMPTS:
        follow_up = deliver_notifications
        if follow_up.get_backend().supports_defer:
            follow_up = follow_up.using(run_after=timezone.now() + backoff(attempt))
        follow_up.enqueue(outcome.retry, attempt + 1)
        retried = True
    return {
        "sent": len(outcome.sent),
        "bounced": len(outcome.bounced),
        "failed": len(outcome.retry),
        "retried": retried,
    }


@task()
def send_digest(rhythm: str) -> dict:
    """The periodic digest (a scheduler enqueues it, or runs `convene digest --daily|--weekly`)."""
    if rhythm not in (Delivery.DAILY, Delivery.WEEKLY):
        raise ValueError(f"a digest is daily or weekly, not {rhythm!r}")
    run = mail.digest_run(rhythm)
    return {"people": run.people, "notifications": run.notifications, "failed": run.failed}
