"""What convening's write paths enqueue for mail: never a send in the request.

The invitations go out from the worker (`convening.tasks.send_invitations`, one task per batch, the
`.ics` attached); the cancellation notice and the waitlist's "a seat is yours" are outbox items
(`notifications.outbox`), one message per person, sent by the worker over one connection.
The messages themselves are built in `convening.mailing`.
"""

from __future__ import annotations

from collections.abc import Sequence

from convene.notifications.outbox import item, mail_later

from .. import tasks
from ..mailing import site_url, when_text

__all__ = ["invitations_send", "mail_send", "site_url", "when_text"]


def mail_send(subject: str, body: str, recipients: Sequence[str]) -> None:
    """One message per address, sent by the worker after the commit (one task for all of them)."""
    mail_later(item(to=address, subject=subject, body=body) for address in recipients)


def invitations_send(session_id: int) -> None:
    """Enqueue the mail of the session's invitations not mailed yet (called on commit): one task."""
    tasks.send_invitations.enqueue(session_id)
