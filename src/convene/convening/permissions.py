"""Fetch-and-authorize helpers for sessions.

Who sees a session:
- the host community's coordinators, and the coordinators of the invited communities (co-hosts),
  always (drafts included);
- once invitations are out: everyone invited (guests and individual guests see only these), and
  members and coordinators of the host and invited communities.
Anyone else gets a 404: a session does not reveal that it exists.

Visible sessions the caller may not act on are a 403:
- PARTICIPATE (RSVP, check in, notes, candidates, ratings): people invited, and host coordinators;
- FACILITATE (speaking queue, attendance): host coordinators, co-hosts and the session's facilitators;
- COHOST (invitations, room preview, roles): host coordinators and co-hosts;
- MANAGE (edit, state, agenda, groups, outcomes, actions, pick): host coordinators.
Access and care needs stay with the host's coordinators (``is_manager``), never co-hosts.
"""

from __future__ import annotations

from enum import IntEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from convene.communities.models import Community, Membership, Role
from convene.communities.permissions import rank_of
from convene.core.permissions import owned_or_404

from .models import EmailInvitation, Session, SessionInvitation, SessionRole, SessionRoleKind, SessionState


class SessionNeed(IntEnum):
    VIEW = 0
    PARTICIPATE = 1
    FACILITATE = 2
    COHOST = 3
    MANAGE = 4


def is_manager(user, session: Session) -> bool:
    return rank_of(user, session.host) >= 3


def is_cohost(user, session: Session) -> bool:
    """A coordinator of a community invited to the session (not of the host)."""
    if not getattr(user, "is_authenticated", False):
        return False
    cache = session.__dict__.setdefault("_cohost_cache", {})
    if user.pk not in cache:
        cache[user.pk] = Membership.objects.filter(
            user=user, role=Role.COORDINATOR, community__in=session.invited_communities.all()
        ).exists()
    return cache[user.pk]


def can_cohost(user, session: Session) -> bool:
    return is_manager(user, session) or is_cohost(user, session)


def invitation_of(user, session: Session) -> SessionInvitation | None:
    if not getattr(user, "is_authenticated", False):
        return None
    cache = session.__dict__.setdefault("_invitation_cache", {})
    if user.pk not in cache:
        cache[user.pk] = SessionInvitation.objects.filter(session=session, user=user).first()
    return cache[user.pk]


def is_facilitator(user, session: Session) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return SessionRole.objects.filter(session=session, user=user, kind=SessionRoleKind.FACILITATOR).exists()


def _member_of_involved(user, session: Session) -> bool:
    community_ids = [session.host_id, *session.invited_communities.values_list("pk", flat=True)]
    return Membership.objects.filter(
        user=user, community_id__in=community_ids, role__in=[Role.MEMBER, Role.COORDINATOR]
    ).exists()


def can_view(user, session: Session) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if can_cohost(user, session):
        return True
    if session.state == SessionState.DRAFT:
        return False
    return invitation_of(user, session) is not None or _member_of_involved(user, session)


def session_for(user, session_id, *, need: SessionNeed = SessionNeed.VIEW) -> Session:
    try:
        session = Session.objects.select_related("host", "activity").get(pk=int(session_id))
    except (Session.DoesNotExist, TypeError, ValueError):
        raise Http404(_("No such session.")) from None
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Log in to continue."))
    if not can_view(user, session):
        raise Http404(_("No such session."))
    if need == SessionNeed.VIEW or is_manager(user, session):
        return session
    if need == SessionNeed.PARTICIPATE and invitation_of(user, session) is not None:
        return session
    if need in (SessionNeed.FACILITATE, SessionNeed.COHOST) and is_cohost(user, session):
        return session
    if need == SessionNeed.FACILITATE and is_facilitator(user, session):
        return session
    raise PermissionDenied(
        {
            SessionNeed.PARTICIPATE: _("Only people invited to this session can do that."),
            SessionNeed.FACILITATE: _("Only the session's facilitators and its hosts' coordinators can do that."),
            SessionNeed.COHOST: _("Only coordinators of the host community or of a community taking part can do that."),
            SessionNeed.MANAGE: _("Only coordinators of the host community can do that."),
        }[need]
    )


def visible_sessions(user, community: Community | None = None) -> QuerySet[Session]:
    """Sessions the person may see, optionally those hosted by or inviting `community`."""
    qs = Session.objects.select_related("host", "activity")
    if community is not None:
        qs = qs.filter(Q(host=community) | Q(invited_communities=community))
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    coordinated = Membership.objects.filter(user=user, role=Role.COORDINATOR).values("community_id")
    full = Membership.objects.filter(user=user, role__in=[Role.MEMBER, Role.COORDINATOR]).values("community_id")
    invited = SessionInvitation.objects.filter(user=user).values("session_id")
    not_draft = ~Q(state=SessionState.DRAFT)
    return qs.filter(
        Q(host__in=coordinated)
        | Q(invited_communities__in=coordinated)
        | (not_draft & (Q(pk__in=invited) | Q(host__in=full) | Q(invited_communities__in=full)))
    ).distinct()


def email_invitation_for(token) -> EmailInvitation:
    """The e-mail invitation of a link (anyone holding the link may accept it); 404 otherwise."""
    token = str(token or "")[:64]
    invitation = EmailInvitation.objects.select_related("session__host").filter(token=token).first() if token else None
    if invitation is None:
        raise Http404(_("The invitation token is not valid: the link may have been withdrawn, or mistyped."))
    return invitation


def invitation_for(user, session: Session, model, invitation_id):
    """One invitation (``SessionInvitation`` or ``EmailInvitation``) of the session the caller may
    withdraw: host coordinators any; co-hosts those they made, or of people taking part for a
    community they coordinate. 404 if it is not this session's, 403 otherwise."""
    invitation = owned_or_404(model.objects.filter(session=session), invitation_id)
    if is_manager(user, session) or invitation.invited_by_id == user.pk:
        return invitation
    community_id = getattr(invitation, "community_id", None)
    if (
        community_id is not None
        and Membership.objects.filter(user=user, community_id=community_id, role=Role.COORDINATOR).exists()
    ):
        return invitation
    raise PermissionDenied(_("Co-hosts withdraw only invitations they made or of their own community's people."))


def crumb_community(user, session: Session) -> Community:
    """The community whose session list the breadcrumb links to: the host if the person may see
    its list, else the first community taking part they belong to."""
    if rank_of(user, session.host) >= 1:
        return session.host
    mine = Membership.objects.filter(user=user, community__in=session.invited_communities.all())
    membership = mine.select_related("community").order_by("community__name").first()
    return membership.community if membership else session.host
