"""Decisions for convening routes. Order: anon, outsider, guest, member, coordinator.

The session is hosted by the private community (so outsiders get 404), in progress, with the
guest, member and coordinator invited; the member is its facilitator.
"""

from datetime import timedelta

from django.utils import timezone

from convene.convening import services
from convene.convening.models import ActivityType, AgendaItem, CommunityActivity, SessionRole

from . import Case


def setup(world):
    o = world.objects
    coordinator, member, guest = world.users["coordinator"], world.users["member"], world.users["guest"]
    session = services.session_create(
        host=world.private,
        actor=coordinator,
        activity=ActivityType.objects.get(slug="boundary-engagement"),
        title="Matrix session",
        starts_at=timezone.now() + timedelta(days=2),
        invited_communities=[world.public],
    )
    for user in (guest, member, coordinator):
        services.invitation_add(session=session, actor=coordinator, user=user)
    services.session_transition(session=session, actor=coordinator, to="invitations_sent")
    session = services.session_transition(session=session, actor=coordinator, to="in_progress")
    for user in (guest, member, coordinator):
        services.rsvp_set(session=session, user=user, answer="yes")
    services.role_assign(session=session, actor=coordinator, user=member, kind="facilitator")
    services.groups_form(session=session, actor=coordinator, n_groups=2)
    o["conv_session"] = session
    o["conv_item"] = AgendaItem.objects.filter(session=session).first()
    o["conv_role"] = SessionRole.objects.get(session=session, user=member)
    o["conv_action"] = services.follow_up_create(session=session, actor=coordinator, title="Write it up", owner=member)
    o["conv_candidate"] = services.candidate_propose(session=session, user=member, title="Shared checklist")
    o["conv_invitation"] = session.invitations.get(user=guest)
    o["conv_email_invitation"] = services.invitation_email_add(
        session=session, actor=coordinator, email="someone@example.org"
    )
    o["catalogue_entry"] = CommunityActivity.objects.create(
        community=world.private, name="Case round", summary="Our weekly case round"
    )


S = lambda w: {"session_id": w.objects["conv_session"].pk}  # noqa: E731
PRIV = lambda w: {"slug": "priv"}  # noqa: E731
ITEM = lambda w: {"session_id": w.objects["conv_session"].pk, "item_id": w.objects["conv_item"].pk}  # noqa: E731
ROLE = lambda w: {"session_id": w.objects["conv_session"].pk, "role_id": w.objects["conv_role"].pk}  # noqa: E731
ACTION = lambda w: {"session_id": w.objects["conv_session"].pk, "action_id": w.objects["conv_action"].pk}  # noqa: E731
CAND = lambda w: {"session_id": w.objects["conv_session"].pk, "candidate_id": w.objects["conv_candidate"].pk}  # noqa: E731
EINV = lambda w: {"session_id": w.objects["conv_session"].pk, "invitation_id": w.objects["conv_email_invitation"].pk}  # noqa: E731
TOKEN = lambda w: {"token": w.objects["conv_email_invitation"].token}  # noqa: E731
INV = lambda w: {"session_id": w.objects["conv_session"].pk, "invitation_id": w.objects["conv_invitation"].pk}  # noqa: E731

VIEW = (302, 404, 200, 200, 200)
MANAGE = (302, 404, 403, 403, 200)
MANAGE_POST = (302, 404, 403, 403, 302)
FACILITATE = (302, 404, 403, 200, 200)
PARTICIPATE_POST = (302, 404, 302, 302, 302)
# a community's own activity catalogue (issue 18.19), on the private community
ENTRY = lambda w: {"slug": "priv", "entry_id": w.objects["catalogue_entry"].pk}  # noqa: E731
BASE = lambda w: {"slug": "priv", "activity_slug": ActivityType.objects.order_by("pk").first().slug}  # noqa: E731
NEW_ENTRY = {"name": "Journal club", "summary": "", "how": "", "agenda": "Paper | 30"}

WEB = [
    Case("convening:catalogue", (200, 200, 200, 200, 200)),
    Case("convening:activity", (200, 200, 200, 200, 200), lambda w: {"slug": "breakthrough-activity"}),
    Case("convening:community_sessions", VIEW, PRIV),
    Case("convening:community_catalogue", VIEW, PRIV, note="whoever takes part reads it"),
    Case("convening:community_catalogue", MANAGE_POST, PRIV, method="POST", data=lambda w: NEW_ENTRY),
    Case("convening:catalogue_adapt", MANAGE_POST, BASE, method="POST"),
    Case("convening:catalogue_edit", MANAGE, ENTRY),
    Case("convening:catalogue_edit", MANAGE_POST, ENTRY, method="POST", data=lambda w: NEW_ENTRY),
    Case("convening:catalogue_hide", MANAGE_POST, ENTRY, method="POST", data=lambda w: {"hidden": "1"}),
    Case("convening:session_create", MANAGE, PRIV),
    Case("convening:session", VIEW, S),
    Case("convening:session_edit", MANAGE, S),
    Case("convening:session_state", MANAGE_POST, S, method="POST", data=lambda w: {"to": "held"}),
    Case("convening:ics", VIEW, S),
    Case("convening:invitations", MANAGE, S, note="also co-hosts (coordinators of invited communities)"),
    Case("convening:invitation_remove", MANAGE_POST, INV, method="POST"),
    Case("convening:email_invitation_remove", MANAGE_POST, EINV, method="POST"),
    Case(
        "convening:email_invitation",
        (302, 200, 200, 200, 200),
        TOKEN,
        note="whoever holds the link may accept it; the page shows only the session's title and time",
    ),
    Case("convening:preview", MANAGE, S, note="also co-hosts"),
    Case("convening:rsvp", VIEW, S, note="everyone but the outsider is invited"),
    Case("convening:agenda", VIEW, S),
    Case("convening:agenda_item", MANAGE, ITEM),
    Case("convening:agenda_item_delete", MANAGE_POST, ITEM, method="POST"),
    Case("convening:attendance", FACILITATE, S, note="the member facilitates"),
    Case("convening:checkin", VIEW, S),
    Case("convening:roles", MANAGE, S, note="also co-hosts"),
    Case("convening:message", MANAGE, S, note="also co-hosts; writes to the session's people"),
    Case("convening:role_remove", MANAGE_POST, ROLE, method="POST"),
    Case("convening:record", VIEW, S),
    Case("convening:note_add", PARTICIPATE_POST, S, method="POST", data=lambda w: {"note-text": "Said well."}),
    Case("convening:outcome_add", MANAGE_POST, S, method="POST", data=lambda w: {"outcome-text": "Agreed."}),
    Case(
        "convening:action_add",
        MANAGE_POST,
        S,
        method="POST",
        data=lambda w: {"action-title": "Follow up", "action-owner": w.users["member"].pk},
    ),
    Case(
        "convening:action_status",
        (302, 404, 403, 302, 302),
        ACTION,
        method="POST",
        data=lambda w: {"status": "done"},
        note="the owner (member) or a host coordinator",
    ),
    Case("convening:queue", FACILITATE, S),
    Case("convening:queue_panel", FACILITATE, S),
    Case(
        "convening:queue_mine",
        VIEW,
        S,
        note="the queue as attendees see it: order, own place, names only of people they may see",
    ),
    Case(
        "convening:turn",
        (302, 404, 403, 302, 302),
        S,
        method="POST",
        data=lambda w: {"user": w.users["guest"].pk},
    ),
    Case("convening:hand", PARTICIPATE_POST, S, method="POST", data=lambda w: {"raised": "1"}),
    Case("convening:picker", VIEW, S),
    Case(
        "convening:rate",
        PARTICIPATE_POST,
        CAND,
        method="POST",
        data=lambda w: {"usefulness": "4", "commitment": "light"},
    ),
    Case("convening:pick", MANAGE_POST, CAND, method="POST"),
    Case("convening:groups", VIEW, S),
    Case(
        "convening:group_move",
        MANAGE,
        S,
        method="POST",
        data=lambda w: {"user": w.users["guest"].pk, "to_group": "1", "action": "preview"},
        note="a preview saves nothing",
    ),
]

A = "/api/v1/convening"
AVIEW = (401, 404, 200, 200, 200)
AMANAGE = (401, 404, 403, 403, 200)
ACREATE = (401, 404, 403, 403, 201)
AFACILITATE = (401, 404, 403, 200, 200)
SID = lambda w: {"session_id": w.objects["conv_session"].pk}  # noqa: E731


def _session_in(w):
    return {
        "title": "API session",
        "activity": "open-discussion",
        "starts_at": (timezone.now() + timedelta(days=3)).isoformat(),
        "time_zone": "Europe/Madrid",
    }


API = [
    Case(f"GET {A}/activities", (200, 200, 200, 200, 200)),
    Case(f"GET {A}/activities/{{slug}}", (200, 200, 200, 200, 200), lambda w: {"slug": "visit"}),
    Case(f"GET {A}/communities/{{slug}}/sessions", AVIEW, PRIV),
    Case(f"POST {A}/communities/{{slug}}/sessions", ACREATE, PRIV, data=_session_in),
    Case(f"GET {A}/sessions/{{session_id}}", AVIEW, SID),
    Case(f"PATCH {A}/sessions/{{session_id}}", AMANAGE, SID, data=lambda w: {"place": "Room 2"}),
    Case(f"POST {A}/sessions/{{session_id}}/transition", AMANAGE, SID, data=lambda w: {"to": "held"}),
    Case(f"GET {A}/sessions/{{session_id}}/invitations", AMANAGE, SID),
    Case(f"POST {A}/sessions/{{session_id}}/invitations", ACREATE, SID, data=lambda w: {"community": "pub"}),
    Case(
        f"POST {A}/invitations/accept",
        (401, 200, 200, 200, 200),
        data=lambda w: {"token": w.objects["conv_email_invitation"].token},
        note="whoever holds the link may accept it",
    ),
    Case(f"GET {A}/sessions/{{session_id}}/rsvp", AVIEW, SID),
    Case(f"POST {A}/sessions/{{session_id}}/rsvp", AVIEW, SID, data=lambda w: {"answer": "maybe"}),
    Case(f"GET {A}/sessions/{{session_id}}/preview", AMANAGE, SID),
    Case(f"GET {A}/sessions/{{session_id}}/agenda", AVIEW, SID),
    Case(f"POST {A}/sessions/{{session_id}}/agenda", ACREATE, SID, data=lambda w: {"title": "Break", "minutes": 5}),
    Case(f"PATCH {A}/sessions/{{session_id}}/agenda/{{item_id}}", AMANAGE, ITEM, data=lambda w: {"minutes": 12}),
    Case(f"DELETE {A}/sessions/{{session_id}}/agenda/{{item_id}}", (401, 404, 403, 403, 204), ITEM),
    Case(f"GET {A}/sessions/{{session_id}}/attendance", AFACILITATE, SID),
    Case(
        f"POST {A}/sessions/{{session_id}}/attendance",
        AFACILITATE,
        SID,
        data=lambda w: {"user_id": w.users["guest"].pk},
    ),
    Case(
        f"POST {A}/sessions/{{session_id}}/check-in",
        AVIEW,
        SID,
        data=lambda w: {"code": w.objects["conv_session"].code},
    ),
    Case(f"GET {A}/sessions/{{session_id}}/roles", AVIEW, SID),
    Case(
        f"POST {A}/sessions/{{session_id}}/messages",
        ACREATE,
        SID,
        data=lambda w: {"audience": "attending", "text": "See you soon."},
        note="also co-hosts",
    ),
    Case(
        f"POST {A}/sessions/{{session_id}}/roles",
        ACREATE,
        SID,
        data=lambda w: {"user_id": w.users["guest"].pk, "kind": "speaker"},
    ),
    Case(f"DELETE {A}/sessions/{{session_id}}/roles/{{role_id}}", (401, 404, 403, 403, 204), ROLE),
    Case(f"GET {A}/sessions/{{session_id}}/notes", AVIEW, SID),
    Case(f"POST {A}/sessions/{{session_id}}/notes", (401, 404, 201, 201, 201), SID, data=lambda w: {"text": "Hi"}),
    Case(f"GET {A}/sessions/{{session_id}}/outcomes", AVIEW, SID),
    Case(f"POST {A}/sessions/{{session_id}}/outcomes", ACREATE, SID, data=lambda w: {"text": "Agreed"}),
    Case(f"GET {A}/sessions/{{session_id}}/actions", AVIEW, SID),
    Case(
        f"POST {A}/sessions/{{session_id}}/actions",
        ACREATE,
        SID,
        data=lambda w: {"title": "Do it", "owner_id": w.users["member"].pk},
    ),
    Case(
        f"PATCH {A}/sessions/{{session_id}}/actions/{{action_id}}",
        AFACILITATE,
        ACTION,
        data=lambda w: {"status": "done"},
        note="owner (member) or host coordinator",
    ),
    Case(f"GET {A}/sessions/{{session_id}}/queue", AFACILITATE, SID),
    Case(
        f"POST {A}/sessions/{{session_id}}/turns",
        (401, 404, 403, 201, 201),
        SID,
        data=lambda w: {"user_id": w.users["guest"].pk},
    ),
    Case(f"POST {A}/sessions/{{session_id}}/hand", AVIEW, SID, data=lambda w: {"raised": True}),
    Case(f"GET {A}/sessions/{{session_id}}/candidates", AVIEW, SID),
    Case(
        f"POST {A}/sessions/{{session_id}}/candidates",
        (401, 404, 201, 201, 201),
        SID,
        data=lambda w: {"title": "Joint audit"},
    ),
    Case(
        f"PUT {A}/sessions/{{session_id}}/candidates/{{candidate_id}}/rating",
        AVIEW,
        CAND,
        data=lambda w: {"usefulness": 3, "commitment": "medium"},
    ),
    Case(f"POST {A}/sessions/{{session_id}}/candidates/{{candidate_id}}/pick", AMANAGE, CAND, data=lambda w: {}),
    Case(f"GET {A}/sessions/{{session_id}}/groups", AVIEW, SID),
    Case(f"POST {A}/sessions/{{session_id}}/groups", ACREATE, SID, data=lambda w: {"n_groups": 1}),
    Case(
        f"POST {A}/sessions/{{session_id}}/groups/move",
        AMANAGE,
        SID,
        data=lambda w: {"user_id": w.users["guest"].pk, "to_group": 1, "dry_run": True},
    ),
]
