"""Reading what an identity provider says about a person (OIDC claims, SAML attributes).

Pure functions over allauth's `SocialAccount.extra_data`: OpenID Connect stores
`{"userinfo": {...}, "id_token": {...}}`, SAML stores `{attribute name: [values]}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

NAME_CLAIMS = (
    "name",
    "displayName",
    "http://schemas.microsoft.com/identity/claims/displayname",
    "urn:oid:2.16.840.1.113730.3.1.241",  # displayName (eduPerson / LDAP)
    "cn",
    "urn:oid:2.5.4.3",
)
GIVEN_CLAIMS = ("given_name", "givenName", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname")
FAMILY_CLAIMS = ("family_name", "sn", "surname", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname")
ORGANISATION_CLAIMS = (
    "organisation",
    "organization",
    "org",
    "o",
    "urn:oid:2.5.4.10",
    "companyName",
    "companyname",
    "http://schemas.microsoft.com/ws/2008/06/identity/claims/companyname",
)


def flat_claims(extra_data: Mapping[str, Any] | None) -> dict[str, Any]:
    """One flat mapping of claim -> single value, userinfo winning over the ID token."""
    data = dict(extra_data or {})
    if isinstance(data.get("userinfo"), Mapping) or isinstance(data.get("id_token"), Mapping):
        data = {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}
    flat = {}
    for key, value in data.items():
        if isinstance(value, list | tuple):
            value = value[0] if value else None
        flat[key] = value
    return flat


def _first(claims: Mapping[str, Any], names) -> str:
    for name in names:
        value = claims.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def display_name_from(claims: Mapping[str, Any]) -> str:
    name = _first(claims, NAME_CLAIMS)
    if name:
        return name
    return " ".join(part for part in (_first(claims, GIVEN_CLAIMS), _first(claims, FAMILY_CLAIMS)) if part)


def organisation_from(claims: Mapping[str, Any], claim: str = "") -> str:
    return _first(claims, (claim,) if claim else ORGANISATION_CLAIMS)


def email_verified(claims: Mapping[str, Any], *, trust: bool) -> bool:
    """An address counts as verified only when the provider is configured as trusted, and then
    unless the provider itself says the address is unverified (`email_verified: false`)."""
    if not trust:
        return False
    said = claims.get("email_verified")
    if isinstance(said, str):
        return said.strip().lower() in {"true", "1", "yes", "t", "y"}
    return said is None or bool(said)
