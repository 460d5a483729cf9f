"""Mail that is not a notification of one person (a community invitation, a cancelled session, the
receipt of a request for opinion): written in the request as plain items, sent by the worker.

`mail_later(items)` enqueues **one** `tasks.send_mails` task for the batch once the transaction
commits; the worker sends the batch over one SMTP connection and retries passing failures with the
notifications' backoff. Nothing here opens a connection in a request. Mail with an attachment built
from the database (a session's `.ics`, a response's PDF) has its own task in its app, which builds
the message in the worker (`convening.tasks`, `deliberation.tasks`) and sends it with `send_batch`.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from . import tasks


def item(*, to: str, subject: str, body: str) -> dict:
    """One message to one address (never several addresses in one message: nobody sees the others)."""
    return {"to": to, "subject": subject, "body": body}


def mail_later(items: Iterable[dict]) -> None:
    """Send these items from the worker after the current transaction commits (one task for all)."""
    batch = [entry for entry in items if entry.get("to")]
    if batch:
        transaction.on_commit(lambda: tasks.send_mails.enqueue(batch))
