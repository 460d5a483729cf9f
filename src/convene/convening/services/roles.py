"""Session roles (facilitator, note-taker, ...): assign and remove."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from convene.accounts.models import User
from convene.communities.ledgers import opportunity_record, opportunity_withdraw
from convene.core.errors import Conflict, InvalidInput

from ..models import (
    Session,
    SessionInvitation,
    SessionRole,
    SessionRoleKind,
    SessionState,
)
from .common import community_of


@transaction.atomic
def role_assign(*, session: Session, actor: User, user: User, kind: str) -> SessionRole:
    if kind not in SessionRoleKind.values:
        raise InvalidInput(_("Role must be facilitator, speaker or breakout lead."), field="kind")
    if session.state in (SessionState.CLOSED, SessionState.CANCELLED):
        raise Conflict(_("Roles cannot change on a closed or cancelled session."), code="locked")
    if not SessionInvitation.objects.filter(session=session, user=user).exists():
        raise InvalidInput(_("Invite the person to the session before giving them a role."), field="user")
    role, _created = SessionRole.objects.get_or_create(session=session, user=user, kind=kind)
    opportunity_record(
        community=community_of(user, session) or session.host,
        user=user,
        kind=kind,
        source=session.context,
        label=session.title,
    )
    return role


@transaction.atomic
def role_remove(*, session: Session, actor: User, user: User, kind: str) -> None:
    SessionRole.objects.filter(session=session, user=user, kind=kind).delete()
    opportunity_withdraw(user=user, kind=kind, source=session.context)
