"""Signing in through a real SAML 2.0 identity provider (pysaml2's IdP in a second process), in a browser.

python3-saml refuses single-label hosts such as "localhost", so the browser uses the live server at
127.0.0.1 (the same socket) and the SAML app's ACS URL, from Convene's own metadata, names that address.
"""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlencode

import pytest
import requests
from allauth.socialaccount.models import SocialAccount

from convene.accounts.models import User

from ..accounts.providers import PERSON, allow_form_action, key_and_cert, saml_app, saml_idp, saml_idp_address

ACS = "/accounts/saml/board/acs/"


@pytest.fixture
def idp(journey, tmp_path, settings):
    """The IdP running and Convene's SAML app pointing at it; the journey's pages served from 127.0.0.1."""
    journey.base_url = journey.base_url.replace("://localhost:", "://127.0.0.1:")
    port, entity_id, sso_url = saml_idp_address()
    key_path, cert_path = key_and_cert(tmp_path, "idp")
    saml_app(entity_id, sso_url, cert_path)
    allow_form_action(settings, sso_url)
    metadata = requests.get(f"{journey.base_url}/accounts/saml/board/metadata/", timeout=60)
    assert metadata.status_code == 200, metadata.text[:300]
    assert f"{journey.base_url}{ACS}".encode() in metadata.content
    with saml_idp(tmp_path, port, key_path, cert_path, metadata.content) as running:
        yield running


def _sign_in_at_the_idp(j, idp) -> None:
    """From Convene's login page to the IdP's form, filled and sent as the person would."""
    j.page.set_default_timeout(30_000)  # two servers on a busy machine
    j.go("/accounts/login/")
    j.click(j.page.get_by_role("link", name="Health board SAML"))
    j.submit("Continue")
    # at the identity provider (another process, not our page: no axe here)
    j.page.wait_for_url(f"{idp.sso_url}?**")
    j.page.get_by_label("Username").fill(PERSON["username"])
    j.page.get_by_label("Password").fill(PERSON["password"])
    j.page.get_by_role("button", name="Sign in to the SAML IdP").click()


@pytest.mark.django_db(transaction=True)
def test_sign_in_through_the_saml_idp(journey, idp):
    j = journey
    _sign_in_at_the_idp(j, idp)
    # the IdP's page posts the signed response to Convene's ACS; back at Convene, signed in
    j.page.wait_for_url(lambda url: url.startswith(j.base_url) and ACS not in url and "/login" not in url)
    j.check()
    j.go("/me/profile/")
    j.expect_text(PERSON["email"])
    assert j.page.get_by_label("Display name").input_value() == "Asha Rahman"
    assert j.page.get_by_label("Organisation").input_value() == "Northern Health Board"
    user = User.objects.get(email=PERSON["email"])
    assert SocialAccount.objects.get(user=user).provider == idp.entity_id


@pytest.mark.django_db(transaction=True)
def test_a_tampered_assertion_is_refused_in_the_browser(journey, idp):
    j = journey
    tampered = []

    def tamper(route):
        form = {k: v[0] for k, v in parse_qs(route.request.post_data or "").items()}
        xml = base64.b64decode(form["SAMLResponse"])
        assert PERSON["email"].encode() in xml
        form["SAMLResponse"] = base64.b64encode(xml.replace(PERSON["email"].encode(), b"chief@hospital.example"))
        tampered.append(True)
        route.continue_(post_data=urlencode(form))

    j.page.route(f"{j.base_url}{ACS}", tamper)
    _sign_in_at_the_idp(j, idp)
    # back at Convene after the ACS post (and its redirect): an error page, not a signed-in home page
    j.page.wait_for_url(lambda url: url.startswith(j.base_url) and url != f"{j.base_url}{ACS}")
    j.check()
    assert tampered
    assert j.page.url == f"{j.base_url}{ACS}finish/"
    j.expect_text("Third-Party Login Failure")
    j.go("/me/profile/")
    assert "/accounts/login/" in j.page.url  # not signed in
    assert not User.objects.filter(email__in=[PERSON["email"], "chief@hospital.example"]).exists()
    assert not SocialAccount.objects.exists()
