"""The test SAML IdP: HTTP-Redirect AuthnRequest in, a login form, a signed HTTP-POST Response out.

Environment: IDP_PORT, IDP_KEY_FILE, IDP_CERT_FILE, IDP_SP_METADATA (the SP's metadata XML file),
IDP_USER (username:password:email:first:last), IDP_ORGANISATION.
"""

import html
import os
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

PORT = int(os.environ["IDP_PORT"])
BASE = f"http://127.0.0.1:{PORT}"
ENTITY_ID = f"{BASE}/idp/metadata"
USERNAME, PASSWORD, EMAIL, FIRST, LAST = os.environ["IDP_USER"].split(":")

CONFIG = {
    "entityid": ENTITY_ID,
    "service": {
        "idp": {
            "endpoints": {"single_sign_on_service": [(f"{BASE}/sso/redirect", BINDING_HTTP_REDIRECT)]},
            "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
            "policy": {"default": {"lifetime": {"minutes": 15}, "name_form": NAME_FORMAT_URI}},
        }
    },
    "key_file": os.environ["IDP_KEY_FILE"],
    "cert_file": os.environ["IDP_CERT_FILE"],
    "metadata": {"local": [os.environ["IDP_SP_METADATA"]]},
    "xmlsec_binary": "/usr/bin/xmlsec1",
}
IDP = Server(config=IdPConfig().load(CONFIG))

FORM = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test SAML IdP</title></head>
<body><main><h1>Test SAML identity provider</h1><form method="post" action="/sso/login">
<label for="u">Username</label> <input id="u" name="username"> <label for="p">Password</label>
<input id="p" name="password" type="password"><input type="hidden" name="SAMLRequest" value="{req}">
<input type="hidden" name="RelayState" value="{relay}"><button type="submit">Sign in to the SAML IdP</button>
</form>{error}</main></body></html>"""


def _page(start_response, body: str, status: str = "200 OK"):
    start_response(status, [("Content-Type", "text/html; charset=utf-8")])
    return [body.encode()]


def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/idp/metadata":
        start_response("200 OK", [("Content-Type", "text/xml")])
        return [b"<ok/>"]
    if path == "/sso/redirect":
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        IDP.parse_authn_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT)  # refuses a malformed request
        form = FORM.format(
            req=html.escape(query["SAMLRequest"]), relay=html.escape(query.get("RelayState", "")), error=""
        )
        return _page(start_response, form)
    if path == "/sso/login" and environ["REQUEST_METHOD"] == "POST":
        size = int(environ.get("CONTENT_LENGTH") or 0)
        post = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(size).decode()).items()}
        if (post.get("username"), post.get("password")) != (USERNAME, PASSWORD):
            form = FORM.format(
                req=html.escape(post["SAMLRequest"]),
                relay=html.escape(post.get("RelayState", "")),
                error="<p>Wrong username or password.</p>",
            )
            return _page(start_response, form, "401 Unauthorized")
        request = IDP.parse_authn_request(post["SAMLRequest"], BINDING_HTTP_REDIRECT).message
        sp = request.issuer.text
        _, destination = IDP.pick_binding(
            "assertion_consumer_service", bindings=[BINDING_HTTP_POST], entity_id=sp, request=request
        )
        identity = {
            "mail": [EMAIL],
            "givenName": [FIRST],
            "sn": [LAST],
            "displayName": [f"{FIRST} {LAST}"],
            "o": [os.environ.get("IDP_ORGANISATION", "")],
        }
        response = IDP.create_authn_response(
            identity,
            in_response_to=request.id,
            destination=destination,
            sp_entity_id=sp,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=EMAIL),
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"},
            sign_response=True,
            sign_assertion=True,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        http_args = IDP.apply_binding(
            BINDING_HTTP_POST, str(response), destination, post.get("RelayState", ""), response=True
        )
        return _page(start_response, http_args["data"])
    return _page(start_response, "not found", "404 Not Found")


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


if __name__ == "__main__":
    make_server("127.0.0.1", PORT, app, handler_class=QuietHandler).serve_forever()
