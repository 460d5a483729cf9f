"""Reads about a person's second factor (allauth.mfa). Imported only when allauth.mfa is installed,
i.e. not in SSO-only mode, where the identity provider does the second factor."""

from __future__ import annotations

from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from django.conf import settings

from convene.communities.models import Role

from .models import User


def must_set_up_two_factor(user: User) -> bool:
    """True when the site requires coordinators to use two-factor and `user` coordinates a community
    without having an authenticator app or security key yet (recovery codes alone do not count)."""
    if not settings.CONVENE_COORDINATOR_2FA or not user.is_authenticated:
        return False
    if not user.memberships.filter(role=Role.COORDINATOR).exists():
        return False
    return not get_mfa_adapter().is_mfa_enabled(user, types=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN])
