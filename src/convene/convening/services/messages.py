"""Coordinators' messages to the people of a session: everyone invited, those attending, or those
on the waiting list. Delivered as notifications (mail per each person's preferences); nobody sees
anyone's address, and the audit log records who wrote to whom, never the message."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from convene.accounts.models import User
from convene.communities.services import audit
from convene.core.errors import Conflict
from convene.notifications.events import message_send, require_audience

from ..models import Rsvp, Session, SessionState

ABOUT = {
    "invited": gettext_lazy("the people invited to “%(title)s”"),
    "attending": gettext_lazy("the people attending “%(title)s”"),
    "waitlisted": gettext_lazy("the people on the waiting list of “%(title)s”"),
}


@transaction.atomic
def session_message_send(*, session: Session, actor: User, audience: str, text: str) -> int:
    """Write to ``audience`` (invited, attending, waitlisted); returns how many people it reaches."""
    audience = require_audience("session", audience)
    if session.state == SessionState.DRAFT:
        raise Conflict(_("Send the invitations first: until then nobody knows about this session."), code="draft")
    people = session.invitations.all()
    if audience == "attending":
        people = people.filter(rsvp=Rsvp.YES)
    elif audience == "waitlisted":
        people = people.filter(rsvp=Rsvp.WAITLIST)
    recipients = list(people.values_list("user_id", flat=True))
    reached = message_send(
        recipients=recipients,
        kind="session.message",
        obj=session,
        sender=actor,
        about=ABOUT[audience] % {"title": session.title},
        text=text,
        url=reverse("convening:session", args=[session.pk]),
        community=session.host,
    )
    audit(
        community=session.host,
        actor=actor,
        action="message_sent",
        subject=f"session:{session.pk}",
        audience=audience,
        recipients=reached,
    )
    return reached
