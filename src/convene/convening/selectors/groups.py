"""Breakout groups as shown: all groups, and a person's own."""

from __future__ import annotations

from collections import Counter

from ..models import (
    BreakoutMember,
    Session,
)
from .preview import GUEST_LABEL, NOT_GIVEN


def breakout_groups(session: Session) -> list[dict]:
    members = (
        BreakoutMember.objects.filter(session=session)
        .select_related("group__lead__profile", "user__profile")
        .order_by("group__number", "user__profile__display_name")
    )
    invitations = {i.user_id: i for i in session.invitations.select_related("community")}
    groups: dict[int, dict] = {}
    for group in session.breakout_groups.select_related("lead__profile"):
        groups[group.number] = {"group": group, "number": group.number, "lead": group.lead, "members": [], "mix": {}}
    for m in members:
        entry = groups[m.group.number]
        inv = invitations.get(m.user_id)
        entry["members"].append(
            {"user": m.user, "community": inv.community.name if inv and inv.community else str(GUEST_LABEL)}
        )
    for entry in groups.values():
        entry["mix"] = {
            "community": dict(Counter(p["community"] for p in entry["members"])),
            "discipline": dict(Counter(p["user"].profile.discipline or str(NOT_GIVEN) for p in entry["members"])),
            "seniority": dict(
                Counter(p["user"].profile.get_seniority_display() or str(NOT_GIVEN) for p in entry["members"])
            ),
        }
    return list(groups.values())


def my_group(session: Session, user) -> dict | None:
    member = BreakoutMember.objects.filter(session=session, user=user).select_related("group").first()
    if member is None:
        return None
    for entry in breakout_groups(session):
        if entry["number"] == member.group.number:
            return entry
    return None
