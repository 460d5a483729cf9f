"""What `core/hooks.py` finds by name (home_items, upcoming, community_links, personal_data,
context_info, contexts_for), and the roles' turn suggestions this app asks of insights through a hook."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from convene.communities.permissions import rank_of
from convene.core import hooks
from convene.core.home import HomeItem

from ..models import (
    ActionStatus,
    BreakoutMember,
    FollowUp,
    Note,
    Rating,
    Rsvp,
    Session,
    SessionInvitation,
    SessionRoleKind,
    SessionState,
    Turn,
)


def community_links(user, community) -> list[tuple[str, str]]:
    if rank_of(user, community) >= 1:
        return [(pgettext("meetings", "Sessions"), reverse("convening:community_sessions", args=[community.slug]))]
    return []


def home_items(user) -> list:
    now = timezone.now()
    items = [
        HomeItem(
            title=_("Will you come to “%(title)s”?") % {"title": inv.session.title},
            url=reverse("convening:rsvp", args=[inv.session_id]),
            kind=_("Invitation"),
            when=inv.session.starts_at,
        )
        for inv in SessionInvitation.objects.filter(
            user=user, rsvp=Rsvp.PENDING, session__state=SessionState.INVITATIONS_SENT, session__starts_at__gt=now
        ).select_related("session")
    ]
    items += [
        HomeItem(
            title=action.title,
            url=reverse("convening:record", args=[action.session_id]) + f"#action-{action.pk}",
            kind=_("Follow-up"),
            when=None,
            detail=(
                _("due %(date)s · from “%(title)s”")
                % {"date": date_format(action.due, "d M Y"), "title": action.session.title}
                if action.due
                else _("from “%(title)s”") % {"title": action.session.title}
            ),
        )
        for action in FollowUp.objects.filter(owner=user)
        .exclude(status=ActionStatus.DONE)
        .select_related("session")
        .order_by("due", "id")
    ]
    return items


def upcoming(user) -> list:
    now = timezone.now()
    invitations = SessionInvitation.objects.filter(
        user=user,
        rsvp__in=[Rsvp.YES, Rsvp.MAYBE, Rsvp.WAITLIST],
        session__state__in=[SessionState.INVITATIONS_SENT, SessionState.IN_PROGRESS],
        session__starts_at__gt=now - timezone.timedelta(hours=24),
    ).select_related("session")
    return [
        HomeItem(
            title=inv.session.title,
            url=reverse("convening:session", args=[inv.session_id]),
            kind=_("Session"),
            when=inv.session.starts_at,
            detail=_("on the waitlist") if inv.rsvp == Rsvp.WAITLIST else inv.get_rsvp_display().lower(),
        )
        for inv in invitations
        if inv.session.ends_at >= now
    ]


def personal_data(user) -> dict:
    return {
        "convening": {
            "invitations": [
                {
                    "session": inv.session.title,
                    "starts_at": inv.session.starts_at.isoformat(),
                    "rsvp": inv.rsvp,
                    "access_and_care_needs": inv.needs,
                    "checked_in_at": inv.checked_in_at.isoformat() if inv.checked_in_at else None,
                }
                for inv in SessionInvitation.objects.filter(user=user).select_related("session")
            ],
            "notes": [
                {"session": n.session.title, "text": n.text, "created_at": n.created_at.isoformat()}
                for n in user_notes(user)
            ],
            "follow_ups": [
                {
                    "session": a.session.title,
                    "title": a.title,
                    "due": a.due.isoformat() if a.due else None,
                    "status": a.status,
                }
                for a in FollowUp.objects.filter(owner=user).select_related("session")
            ],
            "ratings": [
                {"candidate": r.candidate.title, "usefulness": r.usefulness, "commitment": r.commitment}
                for r in Rating.objects.filter(user=user).select_related("candidate")
            ],
            "speaking_turns": Turn.objects.filter(user=user).count(),
        }
    }


def user_notes(user):
    return Note.objects.filter(author=user).select_related("session")


def context_info(context: str) -> dict | None:
    if not isinstance(context, str) or not context.startswith("session:"):
        return None
    try:
        session = Session.objects.select_related("host").get(pk=int(context.split(":", 1)[1]))
    except (Session.DoesNotExist, ValueError):
        return None
    groups: dict[str, list[int]] = {}
    for m in BreakoutMember.objects.filter(session=session).select_related("group").order_by("group__number"):
        groups.setdefault(m.group.label, []).append(m.user_id)
    return {
        "title": session.title,
        "url": reverse("convening:session", args=[session.pk]),
        "kind": "session",
        "community_ids": [session.host_id, *session.invited_communities.values_list("pk", flat=True)],
        "invited_user_ids": list(session.invitations.values_list("user_id", flat=True)),
        "anonymous": False,
        "groups": groups,
    }


def contexts_for(community) -> list[str]:
    ids = (
        Session.objects.filter(Q(host=community) | Q(invited_communities=community))
        .exclude(state=SessionState.DRAFT)
        .order_by("-starts_at", "-id")
        .values_list("pk", flat=True)
    )
    return [f"session:{pk}" for pk in dict.fromkeys(ids)]


def role_turn_suggestions(session, current) -> list[tuple[str, list]]:
    """Per role, the invited people with the fewest recent opportunities of it in the host
    community (from insights, through a hook), leaving out who already has it here."""
    invited = list(session.invitations.values_list("user_id", flat=True))
    out = []
    for kind, label in SessionRoleKind.choices:
        holders = {r.user_id for r in current if r.kind == kind}
        eligible = [u for u in invited if u not in holders]
        people = hooks.first("turn_suggestions", session.host, kind, eligible, 3) if eligible else []
        out.append((label, people or []))
    return out
