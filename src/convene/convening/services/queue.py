"""The speaking queue: raising a hand and giving the turn."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from convene.accounts.models import User
from convene.communities.ledgers import contribution_record
from convene.core.errors import Conflict, InvalidInput

from ..models import (
    Session,
    SessionInvitation,
    SessionState,
    Turn,
)
from .common import community_of, require_state


@transaction.atomic
def turn_give(*, session: Session, actor: User, user: User) -> Turn:
    require_state(session, (SessionState.IN_PROGRESS,), _("Giving speaking turns"))
    invitation = SessionInvitation.objects.filter(session=session, user=user).first()
    if invitation is None:
        raise InvalidInput(_("Only people on the session's list can be given a turn."), field="user")
    community = invitation.community or community_of(user, session)
    turn = Turn.objects.create(session=session, user=user, community=community, given_by=actor)
    if invitation.hand_raised_at is not None:
        invitation.hand_raised_at = None
        invitation.save(update_fields=["hand_raised_at"])
    contribution_record(community=community or session.host, user=user, kind="turn", context=session.context)
    return turn


@transaction.atomic
def hand_set(*, session: Session, user: User, raised: bool) -> SessionInvitation:
    require_state(session, (SessionState.IN_PROGRESS,), _("Raising a hand"))
    invitation = SessionInvitation.objects.select_for_update().filter(session=session, user=user).first()
    if invitation is None:
        raise Conflict(_("You are not on the invitation list of this session."), code="not_invited")
    if raised and invitation.hand_raised_at is None:
        invitation.hand_raised_at = timezone.now()
    elif not raised:
        invitation.hand_raised_at = None
    invitation.save(update_fields=["hand_raised_at"])
    return invitation
