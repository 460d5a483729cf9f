"""Mail delivery in the background (django-tasks): one task per `notify()` batch, retried with backoff.

The immediate backend (development, tests) runs a task when it is enqueued, after the transaction
commits; in production the database backend's worker (`convene db_worker`) runs it, so a request
that notifies a whole community only writes rows and enqueues one task.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import task

from . import mail
from .kinds import Delivery

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF_SECONDS = 60  # 1, 4, 16, 64 minutes between attempts


def backoff(attempt: int) -> dt.timedelta:
    return dt.timedelta(seconds=BACKOFF_SECONDS * 4 ** (attempt - 1))


def retry_later(follow_up, *args, attempt: int) -> bool:
    """Enqueue `follow_up(*args, attempt + 1)` after the backoff (at once on a backend that cannot
    defer, such as the immediate one of development and tests); False once attempts are used up."""
    if attempt >= MAX_ATTEMPTS:
        return False
    if follow_up.get_backend().supports_defer:
        follow_up = follow_up.using(run_after=timezone.now() + backoff(attempt))
    follow_up.enqueue(*args, attempt + 1)
    return True


@task()
def send_mails(items: list[dict], attempt: int = 1) -> dict:
    """Send outbox items (outbox.mail_later) over one connection; retry those that met a passing
    failure. A refused address (bounce) is logged and dropped: these mails have no row to mark."""
    problems = mail.send_batch([mail.plain_message(entry) for entry in items])
    outcome = list(zip(items, problems, strict=True))
    again = [entry for entry, problem in outcome if problem and problem.startswith("retry")]
    bounced = [entry["to"] for entry, problem in outcome if problem and problem.startswith("bounce")]
    for address in bounced:
        logger.warning("mail to %s bounced", address)
    retried = bool(again) and retry_later(send_mails, again, attempt=attempt)
    return {"sent": problems.count(None), "bounced": len(bounced), "failed": len(again), "retried": retried}


@task()
def deliver_notifications(ids: list[int], attempt: int = 1) -> dict:
    """Mail these notifications; enqueue a later attempt for those that met a passing failure."""
    outcome = mail.deliver(ids)
    retried = bool(outcome.retry) and retry_later(deliver_notifications, outcome.retry, attempt=attempt)
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
