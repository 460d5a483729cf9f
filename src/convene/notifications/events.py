"""Helpers the apps use when an event concerns someone: who the coordinators are, notifying about
something that was already mailed, and the coordinators' messages (`message_send`).

The apps call these from their services, inside the transaction, after the state change. Texts
are plain sentences with the object's title, written by the caller; an anonymous response's
texts never name anyone.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models

from convene.communities.models import Membership, Role
from convene.core.errors import InvalidInput
from convene.core.text import clean_text

from .kinds import kind as kind_for
from .models import Notification
from .services import notify

MESSAGE_LIMIT = 400  # a notification's text is at most 500 characters, with the sentence around it
AUDIENCES = {
    "session": ("invited", "attending", "waitlisted"),
    "project": ("team",),
    "community": ("everyone",),
}


def coordinator_ids(*communities) -> set[int]:
    """The ids of the coordinators of these communities (or community ids)."""
    ids = [getattr(c, "pk", c) for c in communities if c is not None]
    return set(Membership.objects.filter(community_id__in=ids, role=Role.COORDINATOR).values_list("user_id", flat=True))


def notify_mailed(**kwargs) -> list[Notification]:
    """`notify()` for an event whose mail the app still sends itself (an invitation, a reminder with
    its `.ics`, a cancellation): the notification shows in Convene and is stamped as mailed, so the
    mail delivery does not send the same news a second time."""
    return notify(**kwargs, mailed_elsewhere=True)


def message_send(
    *,
    recipients: Iterable,
    kind: str,
    obj: models.Model,
    sender,
    about: str,
    text: str,
    url: str,
    community=None,
) -> int:
    """A coordinator's message to a group of people, as one notification each (never their
    addresses: the recipients see only the message and who wrote it). ``about`` names the group in
    the sentence ("the people invited to “Spring retreat”"). Returns how many people it reaches."""
    if not kind_for(kind).code.endswith(".message"):
        raise ValueError(f"{kind!r} is not a message kind")
    body = clean_text(text, field="text", label="The message", limit=MESSAGE_LIMIT, required=True)
    sentence = f"{sender.display_name} wrote to {about}: {body}"
    return len(
        notify(recipients=recipients, kind=kind, obj=obj, text=sentence, url=url, community=community, actor=sender)
    )


def require_audience(scope: str, audience: str) -> str:
    """The audience named in a form or an API call, or a clear 400."""
    allowed = AUDIENCES[scope]
    if audience not in allowed:
        raise InvalidInput(f"Write to one of: {', '.join(allowed)}.", field="audience")
    return audience
