"""Signing in through a real OpenID Connect provider, and with an authenticator app (TOTP)."""

import pytest
from allauth.account.models import EmailAddress

from convene.accounts.models import User

from ..accounts.providers import PERSON, allow_form_action, oidc_provider
from ..factories import UserFactory
from ..totp import next_window_code, totp

PASSWORD = "correct-horse-battery-9"


def _press(j, name):
    j.page.get_by_role("button", name=name, exact=True).click()
    j.check()


@pytest.fixture
def op(live_server, tmp_path, settings):
    callback = f"{live_server.url}/accounts/oidc/hospital/login/callback/"
    with oidc_provider(tmp_path, [callback]) as provider:
        settings.SOCIALACCOUNT_PROVIDERS = provider.app_settings(trust_email=True)
        allow_form_action(settings, provider.issuer)
        yield provider


@pytest.mark.django_db(transaction=True)
def test_sign_in_through_the_oidc_provider(journey, op):
    j = journey
    j.page.set_default_timeout(30_000)  # two servers on a busy machine
    j.go("/accounts/login/")
    j.click(j.page.get_by_role("link", name="Hospital sign-in"))
    j.submit("Continue")
    # at the identity provider (another process)
    j.page.wait_for_url(f"{op.issuer.removesuffix('/o')}/login/**")
    j.page.get_by_label("Username").fill(PERSON["username"])
    j.page.get_by_label("Password").fill(PERSON["password"])
    j.page.get_by_role("button", name="Sign in to the IdP").click()
    # back at Convene, signed in with an account made just in time
    j.page.wait_for_url(f"{j.base_url}/**")
    j.check()
    j.go("/me/profile/")
    j.expect_text(PERSON["email"])
    assert j.page.get_by_label("Display name").input_value() == "Asha Rahman"
    assert j.page.get_by_label("Organisation").input_value() == "St Elsewhere Hospital"
    assert User.objects.get(email=PERSON["email"]).socialaccount_set.count() == 1


@pytest.mark.django_db(transaction=True)
def test_set_up_an_authenticator_app_and_sign_in_with_it(journey):
    j = journey
    j.page.set_default_timeout(30_000)  # the TOTP step waits for the next 30-second window
    user = UserFactory(email="kai@example.com")
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    j.go("/accounts/login/")
    j.page.get_by_label("Email").fill(user.email)
    j.page.get_by_label("Password").fill(PASSWORD)
    _press(j, "Sign In")

    j.go("/accounts/2fa/totp/activate/")
    if "/reauthenticate/" in j.page.url:  # allauth asks for the password again before security changes
        j.page.get_by_label("Password").fill(PASSWORD)
        j.submit("Confirm")
    secret = j.page.locator("#authenticator_secret").input_value()
    j.page.get_by_label("Authenticator code").fill(totp(secret))
    j.submit("Activate")
    j.go("/accounts/2fa/recovery-codes/")
    j.expect_text("Recovery Codes")

    # sign out, then in again: the password alone is not enough
    j.go("/accounts/logout/")
    j.submit("Sign Out")
    j.go("/accounts/login/")
    j.page.get_by_label("Email").fill(user.email)
    j.page.get_by_label("Password").fill(PASSWORD)
    _press(j, "Sign In")
    j.expect_text("Two-Factor Authentication")
    j.page.get_by_role("textbox").first.fill("000000" if totp(secret) != "000000" else "111111")
    _press(j, "Sign In")
    j.expect_text("Incorrect code")
    j.page.get_by_role("textbox").first.fill(next_window_code(secret))
    _press(j, "Sign In")
    j.go("/me/profile/")
    j.expect_text(user.email)
