"""Convening's part of a person leaving (core.hooks `personal_data_erase`).

Sessions not yet held lose the person (invitation, roles, breakout places), so nobody counts on
them; sessions already held keep their attendance and turns under "A former member", so their
records still add up. Access and care needs go everywhere.
"""

from __future__ import annotations

from ..models import (
    BreakoutMember,
    EmailInvitation,
    SentReminder,
    SessionInvitation,
    SessionRole,
    SessionState,
)

NOT_YET_HELD = (SessionState.DRAFT, SessionState.INVITATIONS_SENT)


def personal_data_erase(user) -> None:
    ahead = {"session__state__in": NOT_YET_HELD}
    SessionInvitation.objects.filter(user=user, **ahead).delete()
    SessionRole.objects.filter(user=user, **ahead).delete()
    BreakoutMember.objects.filter(user=user, **ahead).delete()
    SessionInvitation.objects.filter(user=user).update(needs="")
    SentReminder.objects.filter(user=user).delete()
    EmailInvitation.objects.filter(email__iexact=user.email, accepted_at__isnull=True).delete()
