"""allauth hooks for single sign-on: which IdP addresses count as verified, and the profile from claims."""

from __future__ import annotations

from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

from . import services
from .sso import display_name_from, email_verified, flat_claims, organisation_from


def _app_settings(sociallogin) -> dict:
    app = sociallogin.provider.app
    return dict(app.settings or {}) if app is not None else {}


def _fill_profile(sociallogin, user) -> None:
    claims = flat_claims(sociallogin.account.extra_data)
    services.profile_fill_from_idp(
        user=user,
        display_name=display_name_from(claims),
        organisation=organisation_from(claims, _app_settings(sociallogin).get("organisation_claim", "")),
    )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def populate_user(self, request, sociallogin, data):
        """Runs before allauth looks for an existing account by e-mail: an address from a provider not
        configured with `trust_email` is never verified, so it can neither sign in to the local account
        with that address nor skip the confirmation e-mail."""
        claims = flat_claims(sociallogin.account.extra_data)
        verified = email_verified(claims, trust=bool(_app_settings(sociallogin).get("trust_email")))
        for address in sociallogin.email_addresses:
            address.verified = verified
        return super().populate_user(request, sociallogin, data)

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        _fill_profile(sociallogin, user)
        return user

    def pre_social_login(self, request, sociallogin):
        if sociallogin.is_existing:
            _fill_profile(sociallogin, sociallogin.user)
        return super().pre_social_login(request, sociallogin)
