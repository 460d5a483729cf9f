"""One object of a session, or 404: the lookups a page and an API route share (`<thing>_in`)."""

from __future__ import annotations

from convene.core.permissions import owned_or_404

from ..models import (
    AgendaItem,
    FollowUp,
    Session,
    SessionRole,
)


def agenda_item_in(session: Session, item_id) -> AgendaItem:
    return owned_or_404(AgendaItem.objects.filter(session=session).select_related("session"), item_id)


def session_role_in(session: Session, role_id) -> SessionRole:
    return owned_or_404(SessionRole.objects.filter(session=session).select_related("user"), role_id)


def follow_up_in(session: Session, action_id) -> FollowUp:
    return owned_or_404(FollowUp.objects.filter(session=session).select_related("session"), action_id)
