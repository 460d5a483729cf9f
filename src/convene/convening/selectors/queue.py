"""The speaking queue's state, for the coordinator and for a member."""

from __future__ import annotations

from collections import Counter

from django.utils.translation import gettext as _

from ..models import (
    Rsvp,
    Session,
    Turn,
)
from .guests import nameable_user_ids, person_labels
from .preview import GUEST_LABEL


def queue_state(session: Session) -> dict:
    invitations = list(session.invitations.select_related("user__profile", "community"))
    present = [i for i in invitations if i.checked_in_at is not None]
    room = present or [i for i in invitations if i.rsvp == Rsvp.YES]
    turns = list(Turn.objects.filter(session=session).values("user_id", "community__name"))
    by_user = Counter(t["user_id"] for t in turns)
    by_community = Counter(t["community__name"] or str(GUEST_LABEL) for t in turns)
    in_room = Counter(i.community.name if i.community else str(GUEST_LABEL) for i in room)
    total_turns = len(turns)
    # facilitators tell namesakes apart: "Name (Community · discipline · organisation)"
    communities = {i.user_id: i.community.name if i.community else str(GUEST_LABEL) for i in invitations}
    labels = person_labels([i.user for i in invitations], communities)
    people = [
        {
            "invitation": i,
            "user": i.user,
            "label": labels[i.user_id],
            "turns": by_user.get(i.user_id, 0),
            "hand": i.hand_raised_at,
        }
        for i in room
    ]
    # the stated order: raised hands first, in the order they were raised; then whoever has spoken
    # least; then by name (and id, so namesakes keep a stable place)
    people.sort(
        key=lambda p: (
            p["hand"] is None,
            p["hand"].timestamp() if p["hand"] else 0.0,
            p["turns"],
            p["user"].display_name.casefold(),
            p["user"].pk,
        )
    )
    for position, p in enumerate(people, start=1):
        p["position"] = position
    shares = []
    for name in sorted(set(in_room) | set(by_community)):
        turns_n = by_community.get(name, 0)
        people_n = in_room.get(name, 0)
        shares.append(
            {
                "community": name,
                "turns": turns_n,
                "share": round(turns_n / total_turns, 3) if total_turns else 0.0,
                "people": people_n,
                "room_share": round(people_n / len(room), 3) if room else 0.0,
                "width": round(100 * turns_n / total_turns) if total_turns else 0,
                "room_width": round(100 * people_n / len(room)) if room else 0,
            }
        )
    last = Turn.objects.filter(session=session).select_related("user__profile").order_by("-at", "-id").first()
    return {
        "people": people,
        "hands": [p for p in people if p["hand"] is not None],
        "not_spoken": [p for p in people if p["turns"] == 0],
        "shares": shares,
        "total_turns": total_turns,
        "last": last,
        "last_label": (labels.get(last.user_id) or last.user.display_name) if last is not None else "",
    }


def queue_for_member(session: Session, viewer) -> dict:
    """The speaking queue as an attendee sees it: the order, their own place, and names only of
    people they may already see (others as "Someone from <community>")."""
    q = queue_state(session)
    nameable = nameable_user_ids(session, viewer)
    rows = []
    mine = None
    for p in q["people"]:
        named = p["user"].pk in nameable
        community = p["invitation"].community.name if p["invitation"].community else str(GUEST_LABEL)
        row = {
            "position": p["position"],
            "name": p["user"].display_name if named else _("Someone from %(community)s") % {"community": community},
            "named": named,
            "hand": p["hand"] is not None,
            "turns": p["turns"],
            "me": p["user"].pk == viewer.pk,
        }
        rows.append(row)
        if row["me"]:
            mine = row
    last = q["last"]
    return {
        "rows": rows,
        "mine": mine,
        "speaking": (last.user.display_name if last.user_id in nameable else "someone") if last else None,
        "total_turns": q["total_turns"],
    }
