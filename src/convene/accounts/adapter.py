"""allauth's account adapter: the login lockout keyed on the e-mail and the client address together.

allauth counts failed logins per address ("5/m/ip") and per login key ("5/5m/key"); its key is
the e-mail alone, so a stranger who types a member's e-mail five times locks the member out. Here
the key is the e-mail *and* the client's address (core/clients.py, behind TRUSTED_PROXIES): a
stranger only locks themselves out, and the member, from their own address, gets in at once.
The message says how to get in anyway: wait five minutes, or reset the password.
"""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter

from convene.core.clients import client_address


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": (
            "Too many failed logins for this e-mail address from your network. Try again in 5 minutes, "
            "or reset your password with “Forgot your password?”: the reset link by e-mail always works."
        ),
    }

    def pre_authenticate(self, request, **credentials):
        """Count this attempt against the (e-mail, client address) pair, not the e-mail alone."""
        login = str(credentials.get("email", credentials.get("username", "")) or "").lower()
        keyed = {**credentials, "email": f"{login}|{client_address(request)}"}
        keyed.pop("username", None)
        return super().pre_authenticate(request, **keyed)

    def get_client_ip(self, request):
        """The address allauth's per-address limits count: the client behind TRUSTED_PROXIES."""
        return client_address(request)
