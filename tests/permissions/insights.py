"""Decisions for insights routes. Order: anonymous, outsider, guest, member, coordinator.

Members may read the aggregate representation; everything that shows voice, opportunities,
names or a single session is for coordinators. Private communities stay 404 to outsiders.
"""

from convene.communities.ledgers import contribution_record

from . import Case

CONTEXT = "session:424242"


def setup(world):
    # a context that only the contribution ledger knows about: reachable through the fallback
    contribution_record(community=world.private, user=world.users["member"], kind="turn", context=CONTEXT)


PRIV = lambda w: {"slug": "priv"}  # noqa: E731
PUB = lambda w: {"slug": "pub"}  # noqa: E731
CTX = lambda w: {"slug": "priv", "context": CONTEXT}  # noqa: E731
COORD_ONLY_WEB = (302, 404, 403, 403, 200)
COORD_ONLY_API = (401, 404, 403, 403, 200)

WEB = [
    Case("insights:community", (302, 404, 403, 200, 200), PRIV, note="members: representation only"),
    Case("insights:community", (302, 403, 403, 200, 200), PUB),
    Case("insights:export", COORD_ONLY_WEB, PRIV),
    Case("insights:not_heard", COORD_ONLY_WEB, PRIV),
    Case("insights:opportunities", COORD_ONLY_WEB, PRIV),
    Case("insights:rotation", COORD_ONLY_WEB, PRIV),
    Case("insights:contexts", COORD_ONLY_WEB, PRIV),
    Case("insights:context", COORD_ONLY_WEB, CTX),
    Case("insights:context", (302, 403, 403, 403, 404), lambda w: {"slug": "pub", "context": CONTEXT}),
    Case("insights:context_export", COORD_ONLY_WEB, CTX),
    Case("insights:context_export", (302, 403, 403, 403, 404), lambda w: {"slug": "pub", "context": CONTEXT}),
]

BASE = "/api/v1/insights/communities/{slug}"
API = [
    Case(f"GET {BASE}/representation", (401, 404, 403, 200, 200), PRIV),
    Case(f"GET {BASE}/representation", (401, 403, 403, 200, 200), PUB),
    Case(f"GET {BASE}/trend", COORD_ONLY_API, PRIV),
    Case(f"GET {BASE}/voice", COORD_ONLY_API, PRIV),
    Case(f"GET {BASE}/not-yet-heard", COORD_ONLY_API, PRIV),
    Case(f"GET {BASE}/opportunities", COORD_ONLY_API, PRIV),
    Case(f"GET {BASE}/opportunities/ledger", COORD_ONLY_API, PRIV),
    Case(f"GET {BASE}/rotation", COORD_ONLY_API, PRIV),
    Case(f"GET {BASE}/contexts", COORD_ONLY_API, PRIV),
    Case(f"GET {BASE}/contexts/{{context}}", COORD_ONLY_API, CTX),
]
