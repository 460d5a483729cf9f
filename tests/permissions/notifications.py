"""Decisions for the notification centre, mail preferences and unsubscribe links (issue 19).
Order: anon, outsider, guest, member, coordinator.

Every logged-in person has their own notifications; nobody reaches anyone else's (the member's
notification is a 404 to everyone else). The unsubscribe link works without logging in: its
signature is the permission.
"""

from convene.notifications import services
from convene.notifications.mail import unsubscribe_token

from . import Case


def setup(world):
    made = services.notify(
        recipients=[world.users["member"]],
        kind="team.published",
        text="Your team was published",
        url="/communities/",
        community=world.private,
    )
    world.objects["notification"] = made[0]


MINE = lambda w: {"notification_id": w.objects["notification"].pk}  # noqa: E731
TOKEN = lambda w: {"token": unsubscribe_token(w.users["member"].pk, "team.published")}  # noqa: E731
BAD_TOKEN = lambda w: {"token": "not-a-signed-token"}  # noqa: E731

WEB = [
    Case("notifications:list", (302, 200, 200, 200, 200), note="each person's own"),
    Case("notifications:badge", (302, 200, 200, 200, 200), note="the header badge fragment (one COUNT)"),
    Case("notifications:open", (302, 404, 404, 302, 404), MINE, note="only the recipient: read, then redirect"),
    Case("notifications:read", (302, 404, 404, 302, 404), MINE, method="POST"),
    Case("notifications:read_all", (302, 302, 302, 302, 302), method="POST", note="marks the person's own"),
    Case("notifications:preferences", (302, 200, 200, 200, 200)),
    Case(
        "notifications:preferences",
        (302, 302, 302, 302, 302),
        method="POST",
        data=lambda w: {"team.published": "weekly"},
    ),
    Case("notifications:unsubscribe", (200, 200, 200, 200, 200), TOKEN, note="signed link: no login needed"),
    Case("notifications:unsubscribe", (200, 200, 200, 200, 200), TOKEN, method="POST", note="RFC 8058 one-click"),
    Case("notifications:unsubscribe", (404, 404, 404, 404, 404), BAD_TOKEN, note="a forged link does nothing"),
]

API = [
    Case("GET /api/v1/notifications", (401, 200, 200, 200, 200)),
    Case("GET /api/v1/notifications/unread-count", (401, 200, 200, 200, 200)),
    Case("POST /api/v1/notifications/read-all", (401, 200, 200, 200, 200), data=lambda w: {}),
    Case(
        "POST /api/v1/notifications/{notification_id}/read",
        (401, 404, 404, 200, 404),
        MINE,
        data=lambda w: {},
        note="someone else's notification is not found",
    ),
    Case("GET /api/v1/notifications/preferences", (401, 200, 200, 200, 200)),
    Case(
        "PUT /api/v1/notifications/preferences",
        (401, 200, 200, 200, 200),
        data=lambda w: {"choices": {"team.published": "daily"}},
    ),
]

INBOUND = {"sender": "member@example.com", "recipients": ["reply+x@reply.example.org"], "message": "Subject: Hi\n\nHi"}
API += [
    Case(
        "POST /api/v1/mail/inbound",
        (404, 404, 404, 404, 404),
        data=lambda w: INBOUND,
        note="a mail provider's webhook: off (404) without CONVENE_INBOUND_SECRET; with it, the secret alone "
        "decides (tests/notifications/test_inbound_webhook.py), never a session",
    ),
]
