"""Decisions for the language routes. Order: anon, outsider, guest, member, coordinator.

Both are for everyone: the switcher sets a cookie (and, signed in, the person's own profile
language) and redirects back; the catalogue is the interface's translated strings, nothing private.
"""

from . import Case

WEB = [
    Case(
        "set_language",
        (302, 302, 302, 302, 302),
        method="POST",
        data=lambda w: {"language": "zh-hans", "next": "/"},
        note="sets the language cookie; signed in, also the caller's own profile language (tests/accounts)",
    ),
    Case("javascript-catalog", (200, 200, 200, 200, 200), note="the translations of the interface's scripts"),
]
