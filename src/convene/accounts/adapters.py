"""allauth's hooks: the login lockout (account adapter) and single sign-on (social account adapter).

Login lockout, keyed on the e-mail and the client address together.

allauth counts failed logins per address ("5/m/ip") and per login key ("5/5m/key"); its key is
the e-mail alone, so a stranger who types a member's e-mail five times locks the member out. Here
the key is the e-mail *and* the client's address (core/clients.py, behind TRUSTED_PROXIES): a
stranger only locks themselves out, and the member, from their own address, gets in at once.
The message says how to get in anyway: wait five minutes, or reset the password.

Single sign-on: which identity-provider addresses count as verified, and the profile from claims.
"""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from convene.core.clients import client_address

from . import services
from .languages import profile_language
from .sso import display_name_from, email_verified, flat_claims, organisation_from


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": _(
            "Too many failed logins for this e-mail address from your network. Try again in 5 minutes, "
            "or reset your password with “Forgot your password?”: the reset link by e-mail always works."
        ),
    }

    def send_mail(self, template_prefix, email, context):
        """allauth's mails (confirm an address, reset a password) in the recipient's profile language when
        they have one; otherwise in the language of the page they are using (the active one)."""
        language = profile_language(context.get("user"))
        if not language:
            return super().send_mail(template_prefix, email, context)
        with translation.override(language):
            return super().send_mail(template_prefix, email, context)

    def pre_authenticate(self, request, **credentials):
        """Count this attempt against the (e-mail, client address) pair, not the e-mail alone."""
        login = str(credentials.get("email", credentials.get("username", "")) or "").lower()
        keyed = {**credentials, "email": f"{login}|{client_address(request)}"}
        keyed.pop("username", None)
        return super().pre_authenticate(request, **keyed)

    def get_client_ip(self, request):
        """The address allauth's per-address limits count: the client behind TRUSTED_PROXIES."""
        return client_address(request)


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
