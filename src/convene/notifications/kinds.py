"""Every kind of notification, with who may turn it off and how it is delivered by default.

A kind is a short stable code (stored on each notification and in preferences); its label is what
the preference page shows. ``urgent`` kinds (a cancelled session, an invitation) go out immediately
whatever the digest choice, unless the person chose "never"; the rest follow the person's choice.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediately")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")
    NEVER = "never", _("Never (only in Convene)")


@dataclass(frozen=True, slots=True)
class Kind:
    code: str
    label: str | Promise  # translated when shown
    default: str = Delivery.IMMEDIATE
    urgent: bool = False


KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        # convening
        Kind("session.invited", _("Invitations to sessions"), urgent=True),
        Kind("session.waitlist", _("Waiting-list places"), urgent=True),
        Kind("session.changed", _("Changes to sessions you are invited to"), urgent=True),
        Kind("session.cancelled", _("Cancelled sessions"), urgent=True),
        Kind("session.reminder", _("Reminders before sessions")),
        Kind("session.message", _("Messages from coordinators")),
        Kind("action.assigned", _("Follow-up actions assigned to you")),
        Kind("action.due", _("Follow-up actions coming due")),
        Kind("invitation.accepted", _("Invitations you sent, accepted (coordinators)")),
        # communities
        Kind("membership.requested", _("Join requests (coordinators)")),
        Kind("membership.decided", _("Decisions on your join requests"), urgent=True),
        Kind("community.message", _("Messages to the whole community"), default=Delivery.DAILY),
        # deliberation
        Kind("response.phase", _("Phase changes of joint responses you take part in"), default=Delivery.DAILY),
        Kind("response.deadline", _("Approaching deadlines of joint responses")),
        Kind("response.minority", _("Minority views awaiting an answer")),
        Kind("request.received", _("New requests for opinion (coordinators)"), urgent=True),
        Kind("request.relinked", _("Replaced tracking links of requests for opinion (coordinators)")),
        # projects
        Kind("team.proposed", _("Team proposals")),
        Kind("team.published", _("Published teams"), urgent=True),
        Kind("team.declined", _("Declined places on teams")),
        Kind("team.rematched", _("Changes to teams")),
        Kind("help.requested", _("New help requests (coordinators)")),
        Kind("help.triaged", _("Your help requests triaged")),
        Kind("help.accepted", _("Your help requests accepted")),
        Kind("help.answered", _("Your help requests answered")),
        Kind("project.message", _("Messages to project teams")),
        Kind("project.consent", _("Case-study consent answers (coordinators)")),
        # discussions
        Kind("discussion.mention", _("Mentions of you")),
        Kind("discussion.reply", _("Replies in threads you follow"), default=Delivery.DAILY),
    )
}


def kind(code: str) -> Kind:
    """The kind for ``code``; an unknown code is a programming error, not user input."""
    try:
        return KINDS[code]
    except KeyError:
        raise ValueError(f"unknown notification kind {code!r}") from None
