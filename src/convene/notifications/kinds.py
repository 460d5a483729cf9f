"""Every kind of notification, with who may turn it off and how it is delivered by default.

A kind is a short stable code (stored on each notification and in preferences); its label is what
the preference page shows. ``urgent`` kinds (a cancelled session, an invitation) go out immediately
whatever the digest choice, unless the person chose "never"; the rest follow the person's choice.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", "Immediately"
    DAILY = "daily", "Daily digest"
    WEEKLY = "weekly", "Weekly digest"
    NEVER = "never", "Never (only in Convene)"


@dataclass(frozen=True, slots=True)
class Kind:
    code: str
    label: str
    default: str = Delivery.IMMEDIATE
    urgent: bool = False


KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        # convening
        Kind("session.invited", "Invitations to sessions", urgent=True),
        Kind("session.waitlist", "Waiting-list places", urgent=True),
        Kind("session.changed", "Changes to sessions you are invited to", urgent=True),
        Kind("session.cancelled", "Cancelled sessions", urgent=True),
        Kind("session.reminder", "Reminders before sessions"),
        Kind("session.message", "Messages from coordinators"),
        Kind("action.assigned", "Follow-up actions assigned to you"),
        Kind("action.due", "Follow-up actions coming due"),
        # communities
        Kind("membership.requested", "Join requests (coordinators)"),
        Kind("membership.decided", "Decisions on your join requests", urgent=True),
        Kind("community.message", "Messages to the whole community", default=Delivery.DAILY),
        # deliberation
        Kind("response.phase", "Phase changes of joint responses you take part in", default=Delivery.DAILY),
        Kind("response.deadline", "Approaching deadlines of joint responses"),
        Kind("response.minority", "Minority views awaiting an answer"),
        # projects
        Kind("team.proposed", "Team proposals"),
        Kind("team.published", "Published teams", urgent=True),
        Kind("team.declined", "Declined places on teams"),
        Kind("team.rematched", "Changes to teams"),
        Kind("help.triaged", "Your help requests triaged"),
        Kind("help.accepted", "Your help requests accepted"),
        Kind("help.answered", "Your help requests answered"),
        Kind("project.message", "Messages to project teams"),
        # discussions
        Kind("discussion.mention", "Mentions of you"),
        Kind("discussion.reply", "Replies in threads you follow", default=Delivery.DAILY),
    )
}


def kind(code: str) -> Kind:
    """The kind for ``code``; an unknown code is a programming error, not user input."""
    try:
        return KINDS[code]
    except KeyError:
        raise ValueError(f"unknown notification kind {code!r}") from None
