"""Invitations by name and by e-mail (adding, accepting, removing), answers (RSVP) and the
waitlist they promote from."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from convene.accounts.models import User
from convene.communities.models import Community, Membership, Role
from convene.core.errors import Conflict, InvalidInput
from convene.core.text import clean_text
from convene.notifications.events import notify_mailed
from convene.notifications.services import notify

from ..models import (
    EmailInvitation,
    InvitedVia,
    Rsvp,
    Session,
    SessionInvitation,
    SessionState,
)
from .common import NOT_BY_NAME, OPEN_STATES, community_of, lock_session
from .mail import invitations_send, mail_each, site_url, when_text


@transaction.atomic
def invitation_add(
    *,
    session: Session,
    actor: User,
    community: Community | None = None,
    role: str | None = None,
    user: User | None = None,
    host_first: bool = False,
) -> list[SessionInvitation]:
    """Invite a whole community, everyone with one role in a community, or one person.

    People already invited are left as they are. Returns the new invitations. With ``host_first``
    (the communities ticked on the session form) a person who also belongs to the host takes part
    for the host, as if the host had been invited first."""
    session = lock_session(session)
    if session.state not in (SessionState.DRAFT, *OPEN_STATES):
        raise Conflict(_("Invitations can only be added before the session is held."), code="wrong_state")
    if user is not None:
        their_community = community_of(user, session)
        if their_community is None:
            raise InvalidInput(NOT_BY_NAME, field="user_id")
        targets = [(user, their_community)]
        via = InvitedVia.PERSON
    elif community is not None:
        if role and role not in Role.values:
            raise InvalidInput(_("Role must be guest, member or coordinator."), field="role")
        memberships = Membership.objects.filter(community=community).select_related("user", "community")
        if role:
            memberships = memberships.filter(role=role)
            via = InvitedVia.ROLE
        else:
            memberships = memberships.exclude(role=Role.GUEST)
            via = InvitedVia.COMMUNITY
            if community.pk != session.host_id:
                session.invited_communities.add(community)
        host_ids = set()
        if host_first:
            host_ids = set(
                Membership.objects.filter(community_id=session.host_id, user__in=[m.user for m in memberships])
                .exclude(role=Role.GUEST)
                .values_list("user_id", flat=True)
            )
        targets = [(m.user, session.host if m.user_id in host_ids else m.community) for m in memberships]
    else:
        raise InvalidInput(_("Choose a community, a role in a community, or a person to invite."), field="community")
    existing = set(session.invitations.values_list("user_id", flat=True))
    created = []
    for person, their_community in targets:
        if person.pk in existing:
            continue
        existing.add(person.pk)
        created.append(
            SessionInvitation.objects.create(
                session=session, user=person, community=their_community, via=via, invited_by=actor
            )
        )
    if created and session.state in OPEN_STATES:
        invited_notify(session, [i.user_id for i in created], actor=actor)
        transaction.on_commit(lambda: invitations_send(session.pk))
    return created


def invited_notify(session: Session, user_ids, *, actor: User | None = None) -> None:
    """Tell the newly invited people in Convene too (their invitation mail goes out on commit)."""
    notify_mailed(
        recipients=user_ids,
        kind="session.invited",
        obj=session,
        text=_("%(host)s invites you to “%(title)s” on %(when)s. Please answer yes, no or maybe.")
        % {"host": session.host.name, "title": session.title, "when": when_text(session)},
        url=reverse("convening:rsvp", args=[session.pk]),
        community=session.host,
        actor=actor,
    )


@transaction.atomic
def invitation_email_add(*, session: Session, actor: User, email: str) -> EmailInvitation | None:
    """Invite one e-mail address: a link to accept (signing in or signing up first).

    Never looks up whether the address has an account, so the answer is the same either way.
    Returns the new invitation, or None if this address was already invited to this session."""
    session = lock_session(session)
    if session.state not in (SessionState.DRAFT, *OPEN_STATES):
        raise Conflict(_("Invitations can only be added before the session is held."), code="wrong_state")
    address = clean_text(email, field="email", limit=254, required=True, label=_("E-mail address")).lower()
    try:
        EmailValidator()(address)
    except ValidationError:
        raise InvalidInput(_("Give a valid e-mail address."), field="email") from None
    invitation, created = EmailInvitation.objects.get_or_create(
        session=session, email=address, defaults={"invited_by": actor}
    )
    if created and session.state in OPEN_STATES:
        transaction.on_commit(lambda: invitations_send(session.pk))
    return invitation if created else None


@transaction.atomic
def invitation_email_accept(
    *, invitation: EmailInvitation, user: User, shares_answers: bool = False
) -> SessionInvitation:
    """The person who opened an e-mail invitation link joins the guest list (answering yes).

    Their private diversity answers count in the room preview only if ``shares_answers``."""
    invitation = EmailInvitation.objects.select_for_update().get(pk=invitation.pk)
    session = lock_session(invitation.session)
    if invitation.accepted_at is not None and invitation.accepted_by_id != user.pk:
        raise Conflict(_("This invitation link has already been used."), code="used")
    if session.state not in (SessionState.DRAFT, *OPEN_STATES):
        raise Conflict(_("This session is no longer taking new guests."), code="wrong_state")
    guest = SessionInvitation.objects.filter(session=session, user=user).first()
    if guest is None:
        guest = SessionInvitation.objects.create(
            session=session,
            user=user,
            community=community_of(user, session),
            via=InvitedVia.PERSON,
            invited_by=invitation.invited_by,
            shares_answers=bool(shares_answers),
            mailed_at=invitation.mailed_at,
        )
    elif guest.shares_answers != bool(shares_answers):
        guest.shares_answers = bool(shares_answers)
        guest.save(update_fields=["shares_answers"])
    if invitation.accepted_at is None:
        invitation.accepted_at, invitation.accepted_by = timezone.now(), user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        if invitation.invited_by_id:  # the coordinator who sent the link learns who it reached
            notify(
                recipients=[invitation.invited_by_id],
                kind="invitation.accepted",
                obj=session,
                text=_("%(name)s accepted your e-mail invitation to “%(title)s”.")
                % {"name": user.display_name, "title": session.title},
                url=reverse("convening:invitations", args=[session.pk]),
                community=session.host,
                actor=user,
            )
    if session.state in OPEN_STATES and guest.rsvp == Rsvp.PENDING:
        guest = rsvp_set(session=session, user=user, answer=Rsvp.YES)
    return guest


@transaction.atomic
def invitation_email_remove(*, session: Session, actor: User, invitation: EmailInvitation) -> None:
    """Withdraw an e-mail invitation that has not been accepted (an accepted one is on the guest list)."""
    session = lock_session(session)
    if session.state not in (SessionState.DRAFT, *OPEN_STATES):
        raise Conflict(_("The guest list is fixed once the session is held."), code="wrong_state")
    if invitation.accepted_at is not None:
        raise Conflict(_("This invitation was accepted; withdraw it from the guest list."), code="accepted")
    invitation.delete()


@transaction.atomic
def invitation_remove(*, session: Session, actor: User, invitation: SessionInvitation) -> None:
    session = lock_session(session)
    if session.state not in (SessionState.DRAFT, *OPEN_STATES):
        raise Conflict(_("The guest list is fixed once the session is held."), code="wrong_state")
    was_yes = invitation.rsvp == Rsvp.YES
    invitation.delete()
    if was_yes:
        waitlist_promote(session)


@transaction.atomic
def rsvp_set(*, session: Session, user: User, answer: str, needs: str | None = None) -> SessionInvitation:
    session = lock_session(session)
    invitation = SessionInvitation.objects.select_for_update().filter(session=session, user=user).first()
    if invitation is None:
        raise Conflict(_("You are not on the invitation list of this session."), code="not_invited")
    if not session.is_open_for_rsvp:
        raise Conflict(
            _("This session is %(state)s: answers are no longer taken.")
            % {"state": session.get_state_display().lower()},
            code="rsvp_closed",
        )
    if answer not in (Rsvp.YES, Rsvp.NO, Rsvp.MAYBE):
        raise InvalidInput(_("Answer yes, no or maybe."), field="answer")
    fields = ["rsvp", "responded_at", "waitlisted_at"]
    if needs is not None:
        invitation.needs = clean_text(needs, field="needs", limit=2000, label=_("Access and care needs"))
        fields.append("needs")
    freed = invitation.rsvp == Rsvp.YES and answer != Rsvp.YES
    if answer == Rsvp.YES and invitation.rsvp not in (Rsvp.YES, Rsvp.WAITLIST):
        taken = session.invitations.filter(rsvp=Rsvp.YES).count()
        if session.capacity is not None and taken >= session.capacity:
            invitation.rsvp, invitation.waitlisted_at = Rsvp.WAITLIST, timezone.now()
        else:
            invitation.rsvp, invitation.waitlisted_at = Rsvp.YES, None
    elif answer != Rsvp.YES:
        invitation.rsvp, invitation.waitlisted_at = answer, None
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=fields)
    if freed:
        waitlist_promote(session)
    return invitation


def waitlist_promote(session: Session) -> list[SessionInvitation]:
    """Give freed seats to the first people on the waitlist; they are told by mail after commit."""
    promoted = []
    while True:
        taken = session.invitations.filter(rsvp=Rsvp.YES).count()
        if session.capacity is not None and taken >= session.capacity:
            break
        first = (
            session.invitations.select_for_update()
            .filter(rsvp=Rsvp.WAITLIST)
            .order_by("waitlisted_at", "id")
            .select_related("user")
            .first()
        )
        if first is None:
            break
        first.rsvp, first.waitlisted_at = Rsvp.YES, None
        first.save(update_fields=["rsvp", "waitlisted_at"])
        promoted.append(first)
    if promoted:
        notify_mailed(
            recipients=[p.user_id for p in promoted],
            kind="session.waitlist",
            obj=session,
            text=_(
                "A seat became free at “%(title)s” on %(when)s, and it is now yours. If you can no longer come, "
                "change your answer so the next person can have it."
            )
            % {"title": session.title, "when": when_text(session)},
            url=reverse("convening:rsvp", args=[session.pk]),
            community=session.host,
        )
        title, link = session.title, site_url("convening:session", session.pk)
        mail_each(
            [p.user for p in promoted],
            lambda zone: (
                _("A seat is yours: %(title)s") % {"title": title},
                _(
                    "A seat became free and it is now yours: “%(title)s” on %(when)s.\n"
                    "If you can no longer come, please change your answer so the next person can have it:\n"
                    "%(link)s\n"
                )
                % {"title": title, "when": when_text(session, zone), "link": link},
            ),
        )
    return promoted
