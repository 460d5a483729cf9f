"""RFC 6238 time-based one-time passwords (SHA-1, 30 s, 6 digits): what an authenticator app shows."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time


def totp(secret_b32: str, *, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    key = base64.b32decode(secret_b32.upper() + "=" * (-len(secret_b32) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return str(code).zfill(digits)


def next_window_code(secret_b32: str, step: int = 30) -> str:
    """Wait for the next time step (a code is accepted once) and return its code."""
    time.sleep(step - time.time() % step + 0.5)
    return totp(secret_b32)
