"""Who is asking: the real client address behind the proxies the operator trusts.

`TRUSTED_PROXIES` lists the addresses or networks (CIDR) of the reverse proxies in front of
Convene. When the direct peer (`REMOTE_ADDR`) is one of them, `X-Forwarded-For` is read from the
right: each trusted hop is skipped, and the right-most address that is not a trusted proxy is the
client. Entries left of it were written by the client and are never believed. With no trusted
proxies (the default) the header is ignored and the peer is the client.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return address is not None and any(address in network for network in networks)


def client_address(request) -> str:
    """The client's address for rate limits (see the module docstring)."""
    peer = request.META.get("REMOTE_ADDR", "") or "unknown"
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if not networks or not _trusted(_address(peer), networks):
        return peer
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    client = peer
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # garbage from the client side: the last trusted hop's word ends here
        client = str(address)
        if not _trusted(address, networks):
            break
    return client
