"""Single sign-on against real identity providers started on 127.0.0.1 (tests/accounts/providers.py).

Convene runs in-process under Django's test client; every hop to the provider is a real HTTP request
(the browser's part is played by a `requests` session that follows the provider's own pages).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount

from convene.accounts.models import User

from ..factories import UserFactory
from .providers import PERSON, oidc_provider

CALLBACK = "http://testserver/accounts/oidc/hospital/login/callback/"


@pytest.fixture(scope="module")
def op(tmp_path_factory):
    with oidc_provider(tmp_path_factory.mktemp("op"), [CALLBACK]) as provider:
        yield provider


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _sign_in_at_op(authorize_url: str, *, password: str = PERSON["password"]) -> str:
    """Play the browser at the provider: its login form, then back to Convene's callback URL."""
    browser = requests.Session()
    page = browser.get(authorize_url, timeout=10)
    assert "/login/" in page.url, page.text[:500]
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    next_value = re.search(r'name="next" value="([^"]*)"', page.text).group(1).replace("&amp;", "&")
    answer = browser.post(
        page.url,
        data={"csrfmiddlewaretoken": csrf, "username": PERSON["username"], "password": password, "next": next_value},
        headers={"Referer": page.url},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text[:500]
    answer = browser.get(
        answer.headers["Location"]
        if answer.headers["Location"].startswith("http")
        else authorize_url.split("/o/")[0] + answer.headers["Location"],
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text[:500]
    return answer.headers["Location"]


def _oidc_round_trip(client) -> object:
    start = client.post("/accounts/oidc/hospital/login/")
    assert start.status_code == 302, start.content[:300]
    callback = _sign_in_at_op(start["Location"])
    assert callback.startswith(CALLBACK)
    return client.get(_path(callback), follow=True)


@pytest.mark.django_db
def test_oidc_just_in_time_account_with_profile_from_claims(client, op, settings):
    settings.SOCIALACCOUNT_PROVIDERS = op.app_settings(trust_email=True)
    login_page = client.get("/accounts/login/")
    assert b"Hospital sign-in" in login_page.content

    response = _oidc_round_trip(client)

    user = User.objects.get(email=PERSON["email"])
    assert response.wsgi_request.user == user
    assert SocialAccount.objects.get(user=user).provider == "hospital"
    assert EmailAddress.objects.get(user=user).verified  # the provider is trusted and says verified
    assert user.profile.display_name == "Asha Rahman"
    assert user.profile.organisation == "St Elsewhere Hospital"
    assert not user.has_usable_password()


@pytest.mark.django_db
def test_oidc_untrusted_provider_email_is_not_verified_and_cannot_take_over_an_account(client, op, settings):
    settings.SOCIALACCOUNT_PROVIDERS = op.app_settings(trust_email=False)
    existing = UserFactory(email=PERSON["email"])
    EmailAddress.objects.create(user=existing, email=existing.email, verified=True, primary=True)

    response = _oidc_round_trip(client)

    assert not response.wsgi_request.user.is_authenticated or response.wsgi_request.user != existing
    assert not SocialAccount.objects.filter(user=existing).exists()


@pytest.mark.django_db
def test_oidc_trusted_provider_signs_in_to_the_existing_account(client, op, settings):
    settings.SOCIALACCOUNT_PROVIDERS = op.app_settings(trust_email=True)
    existing = UserFactory(email=PERSON["email"], name="Dr Asha R.")
    EmailAddress.objects.create(user=existing, email=existing.email, verified=True, primary=True)

    response = _oidc_round_trip(client)

    assert response.wsgi_request.user == existing
    assert SocialAccount.objects.get(user=existing).provider == "hospital"
    existing.profile.refresh_from_db()
    assert existing.profile.display_name == "Dr Asha R."  # what the member chose is kept
    assert existing.profile.organisation == "St Elsewhere Hospital"  # an empty field is filled
