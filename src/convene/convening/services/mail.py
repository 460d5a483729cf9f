"""What convening's write paths enqueue for mail: never a send in the request.

The invitations go out from the worker (`convening.tasks.send_invitations`, one task per batch, the
`.ics` attached); the cancellation notice and the waitlist's "a seat is yours" are outbox items
(`notifications.outbox`), one message per person, sent by the worker over one connection.
The messages themselves are built in `convening.mailing`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils import translation

from convene.accounts.languages import recipient_language
from convene.accounts.zones import recipient_zone
from convene.notifications.outbox import item, mail_later

from .. import tasks
from ..mailing import site_url, when_text

__all__ = ["invitations_send", "mail_each", "site_url", "when_text"]


def mail_each(people: Iterable, build: Callable[[str], tuple[str, str]]) -> None:
    """One message per person, written in their language and time zone: `build(zone)` returns the
    subject and body and runs inside the person's language. The worker sends them after the commit
    (one task for all of them)."""
    items = []
    for person in people:
        with translation.override(recipient_language(person)):
            subject, body = build(recipient_zone(person))
        items.append(item(to=person.email, subject=str(subject), body=str(body)))
    mail_later(items)


def invitations_send(session_id: int) -> None:
    """Enqueue the mail of the session's invitations not mailed yet (called on commit): one task."""
    tasks.send_invitations.enqueue(session_id)
