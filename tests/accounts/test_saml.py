"""SAML 2.0 sign-on against pysaml2's IdP in a second process (tests/accounts/saml_idp).

Convene runs under Django's test client and its SAML app is configured in the database (as from the
admin); the browser's part at the IdP is played by `requests` following the IdP's real pages. The IdP
signs both the response and the assertion; Convene requires signed assertions and messages.
"""

from __future__ import annotations

import base64
import html
import re
from urllib.parse import urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount

from convene.accounts.models import User

from .providers import PERSON, key_and_cert, saml_app, saml_idp, saml_idp_address


@pytest.fixture
def idp(db, tmp_path, client):
    port, entity_id, sso_url = saml_idp_address()
    key_path, cert_path = key_and_cert(tmp_path, "idp")
    client.defaults["HTTP_HOST"] = "127.0.0.1"  # python3-saml refuses single-label hosts such as "testserver"
    saml_app(entity_id, sso_url, cert_path)
    metadata = client.get("/accounts/saml/board/metadata/")
    assert metadata.status_code == 200
    with saml_idp(tmp_path, port, key_path, cert_path, metadata.content) as running:
        yield running


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    return html.unescape(match.group(1)) if match else ""


def _idp_response(client) -> tuple[str, dict]:
    """Start at Convene, sign in at the IdP; return the ACS path and the form the IdP posts there."""
    start = client.post("/accounts/saml/board/login/")
    if start.status_code == 200:  # the "Continue" confirmation page
        start = client.post("/accounts/saml/board/login/", {"process": "login"})
    assert start.status_code == 302, start.content[:300]
    browser = requests.Session()
    login_page = browser.get(start["Location"], timeout=10)
    assert login_page.status_code == 200, login_page.text[:300]
    posted = browser.post(
        urlsplit(start["Location"])._replace(path="/sso/login", query="").geturl(),
        data={
            "username": PERSON["username"],
            "password": PERSON["password"],
            "SAMLRequest": _hidden(login_page.text, "SAMLRequest"),
            "RelayState": _hidden(login_page.text, "RelayState"),
        },
        timeout=10,
    )
    assert posted.status_code == 200, posted.text[:300]
    action = html.unescape(re.search(r'action="([^"]+)"', posted.text).group(1))
    form = {name: _hidden(posted.text, name) for name in ("SAMLResponse", "RelayState")}
    return urlsplit(action).path, form


def test_saml_sign_in_makes_the_account_and_fills_the_profile(client, idp):
    acs, form = _idp_response(client)
    assert acs == "/accounts/saml/board/acs/"
    response = client.post(acs, form, follow=True)
    user = User.objects.get(email=PERSON["email"])
    assert response.wsgi_request.user == user
    assert SocialAccount.objects.get(user=user).provider == idp.entity_id
    assert user.profile.display_name == "Asha Rahman"
    assert user.profile.organisation == "Northern Health Board"


def test_a_tampered_assertion_is_refused(client, idp):
    acs, form = _idp_response(client)
    xml = base64.b64decode(form["SAMLResponse"])
    assert PERSON["email"].encode() in xml
    form["SAMLResponse"] = base64.b64encode(xml.replace(PERSON["email"].encode(), b"chief@hospital.example")).decode()
    response = client.post(acs, form, follow=True)
    assert not response.wsgi_request.user.is_authenticated
    assert not User.objects.filter(email__in=[PERSON["email"], "chief@hospital.example"]).exists()
