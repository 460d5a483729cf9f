"""Two-factor with a security key (WebAuthn), through allauth.mfa, in a real browser (issue 20).

Chromium's DevTools protocol gives the page a virtual authenticator (a software security key that
answers navigator.credentials.create/get as a real one would, with real signatures that allauth
verifies): a member adds a key, the password alone then no longer signs them in, the key does; and the
key, registered as a passkey, signs them in with no password at all."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from ..factories import PASSWORD, UserFactory


def _virtual_key(page) -> dict:
    """A resident-key-capable platform authenticator that verifies its user and is always touched."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    options = {
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
        "automaticPresenceSimulation": True,
    }
    found = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})
    return {"cdp": cdp, "id": found["authenticatorId"]}


def _credentials(key) -> list:
    return key["cdp"].send("WebAuthn.getCredentials", {"authenticatorId": key["id"]})["credentials"]


def _sign_in_with_password(j, email):
    j.page.context.clear_cookies()
    j.go("/accounts/login/")
    j.page.fill("#id_login", email)
    j.page.fill("#id_password", PASSWORD)
    j.page.locator("main form button[type=submit]").first.click()
    j.page.wait_for_load_state("domcontentloaded")
    j.check()


@pytest.mark.django_db(transaction=True)
def test_a_security_key_is_the_second_factor_and_a_passkey(journey):
    j = journey
    j.page.set_default_timeout(30_000)
    if "127.0.0.1" in j.base_url:  # WebAuthn refuses IP addresses as relying-party ids
        j.base_url = j.base_url.replace("127.0.0.1", "localhost")
    user = UserFactory(email="noor@example.com", name="Noor Haddad")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    key = _virtual_key(j.page)

    _sign_in_with_password(j, user.email)
    j.go("/accounts/2fa/webauthn/add/")
    if "/reauthenticate/" in j.page.url:
        j.page.get_by_label("Password").fill(PASSWORD)
        j.submit("Confirm")
    j.page.get_by_label("Name").fill("Ward badge key")
    j.page.get_by_label("Passwordless").check()
    j.page.get_by_role("button", name="Add", exact=True).click()
    j.page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    j.check()
    assert len(_credentials(key)) == 1  # the browser's key holds one credential for this site
    stored = Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN)
    assert stored.count() == 1
    assert stored.get().wrap().name == "Ward badge key"
    j.go("/accounts/2fa/webauthn/")
    j.expect_text("Ward badge key")

    # the password alone is no longer enough: allauth asks for the second factor, the key answers
    j.go("/accounts/logout/")
    j.submit("Sign Out")
    _sign_in_with_password(j, user.email)
    j.expect_text("Two-Factor Authentication")
    assert "/2fa/authenticate/" in j.page.url
    j.page.get_by_role("button", name="Use a security key").click()
    j.page.wait_for_url(lambda url: "/2fa/authenticate/" not in url)
    j.go("/me/profile/")
    j.expect_text(user.email)

    # the same key as a passkey: no password typed at all
    j.page.context.clear_cookies()
    j.go("/accounts/login/")
    j.page.get_by_role("button", name="Sign in with a passkey").click()
    j.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    j.go("/me/profile/")
    j.expect_text(user.email)
    assert stored.get().last_used_at is not None
