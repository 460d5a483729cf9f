"""Decisions for global search. Order: anon, outsider, guest, member, coordinator.

Every logged-in person may search; what each finds is limited to what they may open
(tests/search/ checks the results role by role, on SQLite and PostgreSQL).
"""

from . import Case

WEB = [
    Case("search:search", (302, 200, 200, 200, 200), note="the page; results follow each kind's own visibility"),
]

API = [
    Case(
        "GET /api/v1/search",
        (401, 422, 422, 422, 422),
        note="without q: 422 with a clear message (results per role: tests/search/test_views.py)",
    ),
]
