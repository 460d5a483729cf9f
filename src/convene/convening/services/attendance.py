"""Attendance: a coordinator marks people present; people check themselves in with the code."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from convene.accounts.models import User
from convene.core.errors import Conflict, InvalidInput

from ..models import (
    InvitedVia,
    Rsvp,
    Session,
    SessionInvitation,
    SessionState,
)
from .common import RECORD_STATES, community_of, require_state


@transaction.atomic
def attendance_mark(*, session: Session, actor: User, user: User, present: bool = True) -> SessionInvitation:
    """Coordinator or facilitator check-in; a person who was not invited is added as a walk-in."""
    require_state(session, RECORD_STATES, _("Recording attendance"))
    invitation = SessionInvitation.objects.select_for_update().filter(session=session, user=user).first()
    if invitation is None:
        if not present:
            raise Conflict(_("This person is not on the list."), code="not_invited")
        invitation = SessionInvitation.objects.create(
            session=session,
            user=user,
            community=community_of(user, session),
            via=InvitedVia.PERSON,
            invited_by=actor,
            rsvp=Rsvp.YES,
            responded_at=timezone.now(),
            mailed_at=timezone.now(),
        )
    invitation.checked_in_at = timezone.now() if present else None
    invitation.save(update_fields=["checked_in_at"])
    return invitation


@transaction.atomic
def attendance_self(*, session: Session, user: User, code: str) -> SessionInvitation:
    require_state(session, (SessionState.IN_PROGRESS,), _("Checking in"))
    invitation = SessionInvitation.objects.select_for_update().filter(session=session, user=user).first()
    if invitation is None:
        raise Conflict(_("You are not on the invitation list of this session."), code="not_invited")
    if (code or "").strip().upper() != session.code:
        raise InvalidInput(_("That is not this session's code; ask the facilitator to read it again."), field="code")
    if invitation.checked_in_at is None:
        invitation.checked_in_at = timezone.now()
        invitation.save(update_fields=["checked_in_at"])
    return invitation
