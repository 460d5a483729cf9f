"""Real identity providers for the tests, each in a second process on 127.0.0.1.

`oidc_provider(...)`: django-oauth-toolkit in OpenID Connect mode (tests/accounts/oidc_op).
`saml_idp(...)`: pysaml2's IdP (tests/accounts/saml_idp), signing its responses and assertions.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests
from allauth.socialaccount.models import SocialApp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

ROOT = Path(__file__).resolve().parents[2]
PERSON = {
    "username": "nurse",
    "password": "idp-pass-2718",
    "email": "asha.nurse@hospital.example",
    "first": "Asha",
    "last": "Rahman",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def key_and_cert(directory: Path, name: str) -> tuple[Path, Path]:
    """A fresh RSA key and a self-signed certificate for it, as PEM files."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = time.time()
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(dt.datetime.fromtimestamp(now - 3600, dt.UTC))
        .not_valid_after(dt.datetime.fromtimestamp(now + 86400, dt.UTC))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = directory / f"{name}.key", directory / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def _wait(process: subprocess.Popen, url: str, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"identity provider exited: {log.read_text()[-3000:]}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=2).status_code < 500:
                return
        time.sleep(0.2)
    raise RuntimeError(f"identity provider did not answer at {url}: {log.read_text()[-3000:]}")


@contextlib.contextmanager
def _process(module: str, env: dict, ready_url: str, log: Path):
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", module],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}", **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait(process, ready_url, log)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass
class OidcProvider:
    issuer: str
    client_id: str
    client_secret: str

    def app_settings(self, provider_id: str = "hospital", *, trust_email: bool = True) -> dict:
        """The SOCIALACCOUNT_PROVIDERS entry Convene's settings build from CONVENE_OIDC_*."""
        return {
            "openid_connect": {
                "APPS": [
                    {
                        "provider_id": provider_id,
                        "name": "Hospital sign-in",
                        "client_id": self.client_id,
                        "secret": self.client_secret,
                        "settings": {
                            "server_url": self.issuer,
                            "token_auth_method": "client_secret_post",
                            "oauth_pkce_enabled": True,
                            "trust_email": trust_email,
                        },
                    }
                ]
            }
        }


@contextlib.contextmanager
def oidc_provider(directory: Path, redirect_uris: list[str]):
    port = free_port()
    key_path, _ = key_and_cert(directory, "op")
    env = {
        "OP_PORT": str(port),
        "OP_DB": str(directory / "op.sqlite3"),
        "OP_KEY_FILE": str(key_path),
        "OP_CLIENT_ID": "convene-client",
        "OP_CLIENT_SECRET": "convene-client-secret-31415",
        "OP_REDIRECT_URIS": " ".join(redirect_uris),
        "OP_USER": ":".join(PERSON[k] for k in ("username", "password", "email", "first", "last")),
    }
    issuer = f"http://127.0.0.1:{port}/o"
    with _process(
        "tests.accounts.oidc_op.serve", env, f"{issuer}/.well-known/openid-configuration", directory / "op.log"
    ):
        yield OidcProvider(issuer=issuer, client_id=env["OP_CLIENT_ID"], client_secret=env["OP_CLIENT_SECRET"])


def allow_form_action(settings, url: str) -> None:
    """What settings.py does for providers from the environment: the IdP's origin in the CSP form-action."""
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    parts = urlsplit(url)
    policy["DIRECTIVES"]["form-action"] = [*policy["DIRECTIVES"]["form-action"], f"{parts.scheme}://{parts.netloc}"]
    settings.CONTENT_SECURITY_POLICY = policy


@dataclass
class SamlIdp:
    entity_id: str
    sso_url: str


def saml_app(entity_id: str, sso_url: str, cert_path: Path) -> SocialApp:
    """Convene's SAML app for the test IdP, as an operator enters it in the admin: signed assertions
    and messages required, strict checks, e-mail addresses trusted (client_id "board")."""
    return SocialApp.objects.create(
        provider="saml",
        provider_id=entity_id,
        name="Health board SAML",
        client_id="board",
        settings={
            "idp": {"entity_id": entity_id, "sso_url": sso_url, "x509cert": cert_path.read_text()},
            "advanced": {"strict": True, "want_assertion_signed": True, "want_message_signed": True},
            "trust_email": True,
        },
    )


def saml_idp_address() -> tuple[int, str, str]:
    """Port, entity ID and SSO URL of the IdP about to start (the SP's app needs them first)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    return port, f"{base}/idp/metadata", f"{base}/sso/redirect"


@contextlib.contextmanager
def saml_idp(directory: Path, port: int, key_path: Path, cert_path: Path, sp_metadata: bytes):
    metadata_path = directory / "sp-metadata.xml"
    metadata_path.write_bytes(sp_metadata)
    env = {
        "IDP_PORT": str(port),
        "IDP_KEY_FILE": str(key_path),
        "IDP_CERT_FILE": str(cert_path),
        "IDP_SP_METADATA": str(metadata_path),
        "IDP_USER": ":".join(PERSON[k] for k in ("username", "password", "email", "first", "last")),
        "IDP_ORGANISATION": "Northern Health Board",
    }
    base = f"http://127.0.0.1:{port}"
    with _process("tests.accounts.saml_idp.serve", env, f"{base}/idp/metadata", directory / "idp.log"):
        yield SamlIdp(entity_id=f"{base}/idp/metadata", sso_url=f"{base}/sso/redirect")
