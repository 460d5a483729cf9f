"""Write paths for convening. Every state change of a session and what hangs off it goes through here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils import timezone

from convene.accounts.models import User
from convene.communities.ledgers import contribution_record, opportunity_record, opportunity_withdraw
from convene.communities.models import Community, Membership, Role
from convene.communities.services import audit
from convene.core.blas import single_blas_thread
from convene.core.errors import Conflict, InvalidInput
from convene.core.lifecycle import transition
from convene.core.text import clean_text, header_safe, require_one_line

from .models import (
    TRANSITIONS,
    ActionStatus,
    ActivityType,
    AgendaItem,
    BreakoutGroup,
    BreakoutMember,
    Candidate,
    Commitment,
    EmailInvitation,
    FollowUp,
    InvitedVia,
    Note,
    Outcome,
    Rating,
    Rsvp,
    Session,
    SessionInvitation,
    SessionRole,
    SessionRoleKind,
    SessionState,
    Turn,
)

NOT_BY_NAME = (
    "You can invite by name only members of the host community and of the communities taking part; "
    "invite anyone else by e-mail."
)

OPEN_STATES = (SessionState.INVITATIONS_SENT, SessionState.IN_PROGRESS)
RECORD_STATES = (SessionState.INVITATIONS_SENT, SessionState.IN_PROGRESS, SessionState.HELD)


# --------------------------------------------------------------------------- helpers


def zone(name: str) -> ZoneInfo:
    name = (name or "").strip()
    try:
        if not name or len(name) > 64:
            raise ValueError
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"“{name[:64]}” is not a time zone name; use one like Europe/London or America/Argentina/Buenos_Aires.",
            field="time_zone",
        ) from None


def _start(starts_at: datetime, time_zone: str) -> datetime:
    tz = zone(time_zone)
    if not isinstance(starts_at, datetime):
        raise InvalidInput("Give the start as a date and time.", field="starts_at")
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at, tz)
    return starts_at.astimezone(ZoneInfo("UTC"))


def _not_past(starts_at: datetime) -> None:
    if starts_at <= timezone.now():
        raise InvalidInput("The start time is in the past; choose a time that is still to come.", field="starts_at")


def _link(value: str) -> str:
    value = clean_text(value, field="online_link", limit=500, label="Online link")
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            raise InvalidInput(
                "The online link must be a web address starting with https://.", field="online_link"
            ) from None
    return value


def _capacity(value) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput("Capacity must be a whole number of at least 1, or empty for no limit.", field="capacity")
    return value


def _duration(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 5 <= value <= 24 * 60:
        raise InvalidInput("Duration must be between 5 minutes and 24 hours.", field="duration_minutes")
    return value


def _lock(session: Session) -> Session:
    return Session.objects.select_for_update().get(pk=session.pk)


def _require_state(session: Session, states: Iterable[str], what: str) -> None:
    states = tuple(states)
    if session.state not in states:
        allowed = " or ".join(SessionState(s).label.lower() for s in states)
        raise Conflict(
            f"{what} is only possible while the session is {allowed}; it is {session.get_state_display().lower()}.",
            code="wrong_state",
        )


def community_of(user: User, session: Session) -> Community | None:
    """The community a person takes part for: the host if they belong to it, else an invited community."""
    ids = [session.host_id, *session.invited_communities.values_list("pk", flat=True)]
    memberships = {m.community_id: m for m in Membership.objects.filter(user=user, community_id__in=ids)}
    for cid in ids:
        if cid in memberships:
            return memberships[cid].community
    return None


def _url(name: str, *args) -> str:
    from django.urls import reverse

    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def _when(session: Session) -> str:
    return f"{session.local_start:%A %d %B %Y, %H:%M} ({session.time_zone})"


def _mail(subject: str, body: str, recipients: Sequence[str]) -> None:
    from django.core.mail import send_mail

    if recipients:
        subject = header_safe(f"[Convene] {subject}")  # titles may predate the one-line rule
        send_mail(subject=subject, message=body, from_email=None, recipient_list=list(recipients))


# --------------------------------------------------------------------------- sessions


@transaction.atomic
def session_create(
    *,
    host: Community,
    actor: User,
    activity: ActivityType,
    title: str,
    starts_at: datetime,
    time_zone: str = "UTC",
    duration_minutes: int = 90,
    purpose: str = "",
    boundary_concern: str = "",
    place: str = "",
    online_link: str = "",
    capacity: int | None = None,
    invited_communities: Sequence[Community] = (),
    allow_past: bool = False,
) -> Session:
    """A draft session. The ticked ``invited_communities`` are invited (their members and
    coordinators); a start in the past is refused unless ``allow_past`` (the form's confirmation)."""
    title = clean_text(title, field="title", limit=160, required=True)
    require_one_line(title, field="title", label="Title")  # mail subjects carry it
    purpose = clean_text(purpose, field="purpose", limit=4000)
    boundary_concern = clean_text(boundary_concern, field="boundary_concern", limit=4000, label="Boundary concern")
    place = clean_text(place, field="place", limit=300)
    online_link = _link(online_link)
    start = _start(starts_at, time_zone)
    if not allow_past:
        _not_past(start)
    if not activity.active:
        raise InvalidInput("This activity type is no longer offered; choose another.", field="activity")
    others = [c for c in invited_communities if c.pk != host.pk]
    if activity.is_boundary and not others:
        raise InvalidInput(
            "A boundary engagement brings communities together: invite at least one other community.",
            field="invited_communities",
        )
    session = Session.objects.create(
        host=host,
        activity=activity,
        title=title,
        purpose=purpose,
        boundary_concern=boundary_concern,
        starts_at=start,
        time_zone=str(zone(time_zone)),
        duration_minutes=_duration(duration_minutes),
        place=place,
        online_link=online_link,
        capacity=_capacity(capacity),
        created_by=actor,
    )
    session.invited_communities.set(others)
    for community in others:  # the tick-boxes invite their members and coordinators (mailed when sent)
        invitation_add(session=session, actor=actor, community=community, host_first=True)
    for position, item in enumerate(activity.agenda_template or []):
        if isinstance(item, dict) and item.get("title"):
            AgendaItem.objects.create(
                session=session,
                position=position,
                title=str(item["title"])[:200],
                minutes=max(0, min(int(item.get("minutes") or 0), 600)),
            )
    audit(community=host, actor=actor, action="session_created", subject=f"session:{session.pk}")
    if others:
        audit(
            community=host,
            actor=actor,
            action="communities_invited",
            subject=f"session:{session.pk}",
            added=sorted(c.pk for c in others),
        )
    return session


@transaction.atomic
def session_update(*, session: Session, actor: User, **changes) -> Session:
    session = _lock(session)
    if session.state in (SessionState.CLOSED, SessionState.CANCELLED):
        raise Conflict(
            f"This session is {session.get_state_display().lower()}; it can no longer change.", code="locked"
        )
    fields = []
    for name, limit in (("title", 160), ("purpose", 4000), ("boundary_concern", 4000), ("place", 300)):
        if changes.get(name) is not None:
            setattr(session, name, clean_text(changes[name], field=name, limit=limit, required=name == "title"))
            if name == "title":
                require_one_line(session.title, field="title", label="Title")
            fields.append(name)
    if changes.get("online_link") is not None:
        session.online_link = _link(changes["online_link"])
        fields.append("online_link")
    if changes.get("duration_minutes") is not None:
        session.duration_minutes = _duration(changes["duration_minutes"])
        fields.append("duration_minutes")
    if changes.get("time_zone") is not None or changes.get("starts_at") is not None:
        tz_name = changes.get("time_zone") or session.time_zone
        if changes.get("starts_at") is not None:
            start = _start(changes["starts_at"], tz_name)
        else:  # same wall-clock time in the new zone
            start = _start(session.local_start.replace(tzinfo=None), tz_name)
        if start != session.starts_at and not changes.get("allow_past"):
            _not_past(start)
        session.starts_at, session.time_zone = start, str(zone(tz_name))
        fields += ["starts_at", "time_zone"]
    promote = False
    if "capacity" in changes:
        capacity = _capacity(changes["capacity"])
        accepted = session.invitations.filter(rsvp=Rsvp.YES).count()
        if capacity is not None and capacity < accepted:
            raise InvalidInput(
                f"{accepted} people have already accepted; the capacity cannot be below {accepted}.",
                field="capacity",
            )
        promote = capacity is None or (session.capacity is not None and capacity > session.capacity)
        session.capacity = capacity
        fields.append("capacity")
    where = {"community": session.host, "actor": actor, "subject": f"session:{session.pk}"}
    if fields:
        session.save(update_fields=sorted(set(fields)))
        audit(**where, action="session_updated", fields=sorted(set(fields)))
    if "invited_communities" in changes and changes["invited_communities"] is not None:
        before = set(session.invited_communities.values_list("pk", flat=True))
        wanted = [c for c in changes["invited_communities"] if c.pk != session.host_id]
        session.invited_communities.set(wanted)
        after = set(session.invited_communities.values_list("pk", flat=True))
        if after != before:
            audit(**where, action="communities_invited", added=sorted(after - before), removed=sorted(before - after))
        for community in wanted:  # a newly ticked community is invited, as on creation
            if community.pk not in before:
                invitation_add(session=session, actor=actor, community=community, host_first=True)
    if promote:
        _promote_waitlist(session)
    return session


@transaction.atomic
def session_transition(*, session: Session, actor: User, to: str) -> Session:
    session = _lock(session)
    previous = transition(
        session,
        to,
        TRANSITIONS,
        unknown="“{to}” is not a session state.",
        refused="A session that is {was_label} cannot become {to_label}.",
        code="bad_transition",
    )
    if to == SessionState.INVITATIONS_SENT:
        if session.starts_at <= timezone.now():
            raise Conflict("The start time has passed; move the session to a later time first.", code="past")
        if not session.invitations.exists() and not session.email_invitations.exists():
            raise Conflict("Invite someone before sending the invitations.", code="no_invitations")
    session.save(update_fields=["state"])
    audit(
        community=session.host,
        actor=actor,
        action="session_state_changed",
        subject=f"session:{session.pk}",
        old=previous,
        new=to,
    )
    if to == SessionState.INVITATIONS_SENT:
        transaction.on_commit(lambda: _send_invitations(session.pk))
    elif to == SessionState.CANCELLED:
        recipients = list(
            session.invitations.filter(mailed_at__isnull=False)
            .exclude(rsvp=Rsvp.NO)
            .values_list("user__email", flat=True)
        )
        title, when = session.title, _when(session)
        transaction.on_commit(
            lambda: _mail(f"Cancelled: {title}", f"The session “{title}” on {when} is cancelled.\n", recipients)
        )
    return session


def _send_invitations(session_id: int) -> None:
    session = Session.objects.select_related("host").get(pk=session_id)
    pending = session.invitations.filter(mailed_at__isnull=True).select_related("user")
    link = _url("convening:rsvp", session.pk)
    for invitation in pending:
        _mail(
            f"Invitation: {session.title}",
            (
                f"{session.host.name} invites you to “{session.title}” ({session.activity.name}).\n\n"
                f"When: {_when(session)}\n"
                + (f"Where: {session.place}\n" if session.place else "")
                + (f"Online: {session.online_link}\n" if session.online_link else "")
                + f"\nPlease answer yes, no or maybe, and tell the coordinator privately about any access or care "
                f"needs:\n{link}\n"
            ),
            [invitation.user.email],
        )
        SessionInvitation.objects.filter(pk=invitation.pk).update(mailed_at=timezone.now())
    for invitation in session.email_invitations.filter(mailed_at__isnull=True, accepted_at__isnull=True):
        _mail(
            f"Invitation: {session.title}",
            (
                f"{session.host.name} invites you to “{session.title}” ({session.activity.name}).\n\n"
                f"When: {_when(session)}\n"
                + (f"Where: {session.place}\n" if session.place else "")
                + "\nTo accept, open this link and sign in, or create an account if you do not have one yet:\n"
                f"{_url('convening:email_invitation', invitation.token)}\n\n"
                "Nobody at the session learns anything about you until you accept.\n"
            ),
            [invitation.email],
        )
        EmailInvitation.objects.filter(pk=invitation.pk).update(mailed_at=timezone.now())


# --------------------------------------------------------------------------- invitations


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
    session = _lock(session)
    if session.state not in (SessionState.DRAFT, *OPEN_STATES):
        raise Conflict("Invitations can only be added before the session is held.", code="wrong_state")
    if user is not None:
        their_community = community_of(user, session)
        if their_community is None:
            raise InvalidInput(NOT_BY_NAME, field="user_id")
        targets = [(user, their_community)]
        via = InvitedVia.PERSON
    elif community is not None:
        if role and role not in Role.values:
            raise InvalidInput("Role must be guest, member or coordinator.", field="role")
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
        raise InvalidInput("Choose a community, a role in a community, or a person to invite.", field="community")
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
        transaction.on_commit(lambda: _send_invitations(session.pk))
    return created


@transaction.atomic
def invitation_email_add(*, session: Session, actor: User, email: str) -> EmailInvitation | None:
    """Invite one e-mail address: a link to accept (signing in or signing up first).

    Never looks up whether the address has an account, so the answer is the same either way.
    Returns the new invitation, or None if this address was already invited to this session."""
    session = _lock(session)
    if session.state not in (SessionState.DRAFT, *OPEN_STATES):
        raise Conflict("Invitations can only be added before the session is held.", code="wrong_state")
    address = clean_text(email, field="email", limit=254, required=True, label="E-mail address").lower()
    try:
        EmailValidator()(address)
    except ValidationError:
        raise InvalidInput("Give a valid e-mail address.", field="email") from None
    invitation, created = EmailInvitation.objects.get_or_create(
        session=session, email=address, defaults={"invited_by": actor}
    )
    if created and session.state in OPEN_STATES:
        transaction.on_commit(lambda: _send_invitations(session.pk))
    return invitation if created else None


@transaction.atomic
def invitation_email_accept(
    *, invitation: EmailInvitation, user: User, shares_answers: bool = False
) -> SessionInvitation:
    """The person who opened an e-mail invitation link joins the guest list (answering yes).

    Their private diversity answers count in the room preview only if ``shares_answers``."""
    invitation = EmailInvitation.objects.select_for_update().get(pk=invitation.pk)
    session = _lock(invitation.session)
    if invitation.accepted_at is not None and invitation.accepted_by_id != user.pk:
        raise Conflict("This invitation link has already been used.", code="used")
    if session.state not in (SessionState.DRAFT, *OPEN_STATES):
        raise Conflict("This session is no longer taking new guests.", code="wrong_state")
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
    if session.state in OPEN_STATES and guest.rsvp == Rsvp.PENDING:
        guest = rsvp_set(session=session, user=user, answer=Rsvp.YES)
    return guest


@transaction.atomic
def invitation_email_remove(*, session: Session, actor: User, invitation: EmailInvitation) -> None:
    """Withdraw an e-mail invitation that has not been accepted (an accepted one is on the guest list)."""
    session = _lock(session)
    if session.state not in (SessionState.DRAFT, *OPEN_STATES):
        raise Conflict("The guest list is fixed once the session is held.", code="wrong_state")
    if invitation.accepted_at is not None:
        raise Conflict("This invitation was accepted; withdraw it from the guest list.", code="accepted")
    invitation.delete()


@transaction.atomic
def invitation_remove(*, session: Session, actor: User, invitation: SessionInvitation) -> None:
    session = _lock(session)
    if session.state not in (SessionState.DRAFT, *OPEN_STATES):
        raise Conflict("The guest list is fixed once the session is held.", code="wrong_state")
    was_yes = invitation.rsvp == Rsvp.YES
    invitation.delete()
    if was_yes:
        _promote_waitlist(session)


@transaction.atomic
def rsvp_set(*, session: Session, user: User, answer: str, needs: str | None = None) -> SessionInvitation:
    session = _lock(session)
    invitation = SessionInvitation.objects.select_for_update().filter(session=session, user=user).first()
    if invitation is None:
        raise Conflict("You are not on the invitation list of this session.", code="not_invited")
    if not session.is_open_for_rsvp:
        raise Conflict(
            f"This session is {session.get_state_display().lower()}: answers are no longer taken.", code="rsvp_closed"
        )
    if answer not in (Rsvp.YES, Rsvp.NO, Rsvp.MAYBE):
        raise InvalidInput("Answer yes, no or maybe.", field="answer")
    fields = ["rsvp", "responded_at", "waitlisted_at"]
    if needs is not None:
        invitation.needs = clean_text(needs, field="needs", limit=2000, label="Access and care needs")
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
        _promote_waitlist(session)
    return invitation


def _promote_waitlist(session: Session) -> list[SessionInvitation]:
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
        title, when, link = session.title, _when(session), _url("convening:session", session.pk)
        emails = [p.user.email for p in promoted]

        def notify():
            for email in emails:
                _mail(
                    f"A seat is yours: {title}",
                    f"A seat became free and it is now yours: “{title}” on {when}.\n"
                    f"If you can no longer come, please change your answer so the next person can have it:\n{link}\n",
                    [email],
                )

        transaction.on_commit(notify)
    return promoted


# --------------------------------------------------------------------------- roles and attendance


@transaction.atomic
def role_assign(*, session: Session, actor: User, user: User, kind: str) -> SessionRole:
    if kind not in SessionRoleKind.values:
        raise InvalidInput("Role must be facilitator, speaker or breakout lead.", field="kind")
    if session.state in (SessionState.CLOSED, SessionState.CANCELLED):
        raise Conflict("Roles cannot change on a closed or cancelled session.", code="locked")
    if not SessionInvitation.objects.filter(session=session, user=user).exists():
        raise InvalidInput("Invite the person to the session before giving them a role.", field="user")
    role, _ = SessionRole.objects.get_or_create(session=session, user=user, kind=kind)
    opportunity_record(
        community=community_of(user, session) or session.host,
        user=user,
        kind=kind,
        source=session.context,
        label=session.title,
    )
    return role


@transaction.atomic
def role_remove(*, session: Session, actor: User, user: User, kind: str) -> None:
    SessionRole.objects.filter(session=session, user=user, kind=kind).delete()
    opportunity_withdraw(user=user, kind=kind, source=session.context)


@transaction.atomic
def attendance_mark(*, session: Session, actor: User, user: User, present: bool = True) -> SessionInvitation:
    """Coordinator or facilitator check-in; a person who was not invited is added as a walk-in."""
    _require_state(session, RECORD_STATES, "Recording attendance")
    invitation = SessionInvitation.objects.select_for_update().filter(session=session, user=user).first()
    if invitation is None:
        if not present:
            raise Conflict("This person is not on the list.", code="not_invited")
        invitation = SessionInvitation.objects.create(
            session=session,
            user=user,
            community=community_of(user, session),
            via=InvitedVia.PERSON,
            invited_by=actor,
            rsvp=Rsvp.YES,
            responded_at=timezone.now(),
            mailed_at=timezone.now(),
        )
    invitation.checked_in_at = timezone.now() if present else None
    invitation.save(update_fields=["checked_in_at"])
    return invitation


@transaction.atomic
def attendance_self(*, session: Session, user: User, code: str) -> SessionInvitation:
    _require_state(session, (SessionState.IN_PROGRESS,), "Checking in")
    invitation = SessionInvitation.objects.select_for_update().filter(session=session, user=user).first()
    if invitation is None:
        raise Conflict("You are not on the invitation list of this session.", code="not_invited")
    if (code or "").strip().upper() != session.code:
        raise InvalidInput("That is not this session's code; ask the facilitator to read it again.", field="code")
    if invitation.checked_in_at is None:
        invitation.checked_in_at = timezone.now()
        invitation.save(update_fields=["checked_in_at"])
    return invitation


# --------------------------------------------------------------------------- agenda, notes, outcomes, actions


def _agenda_fields(title, minutes, detail) -> dict:
    out = {}
    if title is not None:
        out["title"] = clean_text(title, field="title", limit=200, required=True)
    if minutes is not None:
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 <= minutes <= 600:
            raise InvalidInput("Minutes must be between 0 and 600.", field="minutes")
        out["minutes"] = minutes
    if detail is not None:
        out["detail"] = clean_text(detail, field="detail", limit=2000)
    return out


@transaction.atomic
def agenda_item_add(
    *, session: Session, actor: User, title: str, minutes: int = 10, detail: str = "", position: int | None = None
) -> AgendaItem:
    if session.state in (SessionState.CLOSED, SessionState.CANCELLED):
        raise Conflict("The agenda of a closed or cancelled session cannot change.", code="locked")
    fields = _agenda_fields(title, minutes, detail)
    if position is None:
        last = session.agenda.order_by("-position").first()
        position = last.position + 1 if last else 0
    return AgendaItem.objects.create(session=session, position=max(0, min(position, 1000)), **fields)


@transaction.atomic
def agenda_item_update(
    *,
    item: AgendaItem,
    actor: User,
    title: str | None = None,
    minutes: int | None = None,
    detail: str | None = None,
    position: int | None = None,
) -> AgendaItem:
    if item.session.state in (SessionState.CLOSED, SessionState.CANCELLED):
        raise Conflict("The agenda of a closed or cancelled session cannot change.", code="locked")
    fields = _agenda_fields(title, minutes, detail)
    if position is not None:
        fields["position"] = max(0, min(position, 1000))
    for key, value in fields.items():
        setattr(item, key, value)
    if fields:
        item.save(update_fields=list(fields))
    return item


@transaction.atomic
def agenda_item_delete(*, item: AgendaItem, actor: User) -> None:
    if item.session.state in (SessionState.CLOSED, SessionState.CANCELLED):
        raise Conflict("The agenda of a closed or cancelled session cannot change.", code="locked")
    item.delete()


@transaction.atomic
def note_add(*, session: Session, author: User, text: str) -> Note:
    _require_state(session, RECORD_STATES, "Adding notes")
    note = Note.objects.create(
        session=session, author=author, text=clean_text(text, field="text", limit=5000, required=True)
    )
    contribution_record(
        community=community_of(author, session) or session.host, user=author, kind="note", context=session.context
    )
    return note


@transaction.atomic
def outcome_add(*, session: Session, actor: User, text: str) -> Outcome:
    _require_state(session, (SessionState.IN_PROGRESS, SessionState.HELD), "Recording outcomes")
    return Outcome.objects.create(
        session=session, created_by=actor, text=clean_text(text, field="text", limit=3000, required=True)
    )


def _owner_ok(session: Session, owner: User) -> None:
    invited = SessionInvitation.objects.filter(session=session, user=owner).exists()
    host = Membership.objects.filter(community_id=session.host_id, user=owner).exists()
    if not (invited or host):
        raise InvalidInput("The owner must be someone invited to the session or a member of the host.", field="owner")


@transaction.atomic
def follow_up_create(*, session: Session, actor: User, title: str, owner: User, due: date | None = None) -> FollowUp:
    _require_state(session, (SessionState.IN_PROGRESS, SessionState.HELD), "Adding follow-up actions")
    _owner_ok(session, owner)
    return FollowUp.objects.create(
        session=session,
        title=clean_text(title, field="title", limit=300, required=True),
        owner=owner,
        due=due,
        created_by=actor,
    )


@transaction.atomic
def follow_up_update(
    *,
    action: FollowUp,
    actor: User,
    status: str | None = None,
    title: str | None = None,
    due: date | None = None,
    owner: User | None = None,
) -> FollowUp:
    fields = []
    if status is not None:
        if status not in ActionStatus.values:
            raise InvalidInput("Status must be open, in progress or done.", field="status")
        action.status = status
        fields.append("status")
    if title is not None:
        action.title = clean_text(title, field="title", limit=300, required=True)
        fields.append("title")
    if due is not None:
        action.due = due
        fields.append("due")
    if owner is not None:
        _owner_ok(action.session, owner)
        action.owner = owner
        fields.append("owner")
    if fields:
        action.save(update_fields=fields)
    return action


# --------------------------------------------------------------------------- speaking queue


@transaction.atomic
def turn_give(*, session: Session, actor: User, user: User) -> Turn:
    _require_state(session, (SessionState.IN_PROGRESS,), "Giving speaking turns")
    invitation = SessionInvitation.objects.filter(session=session, user=user).first()
    if invitation is None:
        raise InvalidInput("Only people on the session's list can be given a turn.", field="user")
    community = invitation.community or community_of(user, session)
    turn = Turn.objects.create(session=session, user=user, community=community, given_by=actor)
    if invitation.hand_raised_at is not None:
        invitation.hand_raised_at = None
        invitation.save(update_fields=["hand_raised_at"])
    contribution_record(community=community or session.host, user=user, kind="turn", context=session.context)
    return turn


@transaction.atomic
def hand_set(*, session: Session, user: User, raised: bool) -> SessionInvitation:
    _require_state(session, (SessionState.IN_PROGRESS,), "Raising a hand")
    invitation = SessionInvitation.objects.select_for_update().filter(session=session, user=user).first()
    if invitation is None:
        raise Conflict("You are not on the invitation list of this session.", code="not_invited")
    if raised and invitation.hand_raised_at is None:
        invitation.hand_raised_at = timezone.now()
    elif not raised:
        invitation.hand_raised_at = None
    invitation.save(update_fields=["hand_raised_at"])
    return invitation


# --------------------------------------------------------------------------- breakthrough picker


def _picker_open(session: Session) -> None:
    if not session.activity.is_boundary:
        raise Conflict("The breakthrough picker belongs to boundary engagements.", code="not_boundary")
    _require_state(session, RECORD_STATES, "The picker")


@transaction.atomic
def candidate_propose(*, session: Session, user: User, title: str, description: str = "") -> Candidate:
    _picker_open(session)
    title = clean_text(title, field="title", limit=200, required=True)
    if Candidate.objects.filter(session=session, title__iexact=title).exists():
        raise Conflict(f"“{title}” is already a candidate.", code="candidate_exists", field="title")
    return Candidate.objects.create(
        session=session,
        title=title,
        description=clean_text(description, field="description", limit=2000),
        proposed_by=user,
    )


@transaction.atomic
def rating_set(*, candidate: Candidate, user: User, usefulness: int, commitment: str) -> Rating:
    _picker_open(candidate.session)
    if isinstance(usefulness, bool) or not isinstance(usefulness, int) or not 1 <= usefulness <= 5:
        raise InvalidInput("Usefulness must be a whole number from 1 to 5.", field="usefulness")
    if commitment not in Commitment.values:
        raise InvalidInput("Commitment must be light, medium or heavy.", field="commitment")
    rating, _ = Rating.objects.update_or_create(
        candidate=candidate,
        user=user,
        defaults={"usefulness": usefulness, "commitment": commitment, "updated_at": timezone.now()},
    )
    return rating


@transaction.atomic
def candidate_pick(*, session: Session, actor: User, candidate: Candidate | None) -> Session:
    _picker_open(session)
    if candidate is not None and candidate.session_id != session.pk:
        raise InvalidInput("That candidate belongs to another session.", field="candidate")
    session.picked_candidate = candidate
    session.save(update_fields=["picked_candidate"])
    return session


# --------------------------------------------------------------------------- breakout groups


def group_people(session: Session) -> list[SessionInvitation]:
    """Who is grouped: those checked in; before anyone is checked in, those who said yes."""
    qs = session.invitations.select_related("user__profile", "community")
    present = [i for i in qs if i.checked_in_at is not None]
    return present or [i for i in qs if i.rsvp == Rsvp.YES]


def _label(invitation: SessionInvitation) -> str:
    return f"{invitation.user.display_name} (#{invitation.user_id})"


def _problem_input(invitations: Sequence[SessionInvitation], include_organisation: bool) -> tuple[list, dict]:
    ids = [_label(i) for i in invitations]
    attributes = {
        "community": [i.community.name if i.community else "Individual guest" for i in invitations],
        "discipline": [i.user.profile.discipline for i in invitations],
        "seniority": [i.user.profile.get_seniority_display() if i.user.profile.seniority else "" for i in invitations],
    }
    if include_organisation:
        attributes["organisation"] = [i.user.profile.organisation for i in invitations]
    return ids, attributes


def _pairs_of(pairs: Sequence[Sequence[User]], label_of: dict[int, str], what: str) -> list[tuple[str, str]]:
    out = []
    for pair in pairs:
        labels = []
        for person in pair:
            if person.pk not in label_of:
                raise InvalidInput(
                    f"{what}: {person.display_name} is not among the people being grouped.", field=what_field(what)
                )
            labels.append(label_of[person.pk])
        out.append(tuple(labels))
    return out


def what_field(what: str) -> str:
    return "separate" if what.startswith("Keep apart") else "together"


@transaction.atomic
def groups_form(
    *,
    session: Session,
    actor: User,
    n_groups: int | None = None,
    group_size: int | None = None,
    include_organisation: bool = False,
    separate: Sequence[Sequence[User]] = (),
    together: Sequence[Sequence[User]] = (),
    seed: int = 0,
) -> list[BreakoutGroup]:
    from convene.engines.grouping import GroupingError, form_groups

    session = _lock(session)
    _require_state(session, RECORD_STATES, "Forming breakout groups")
    if (n_groups is None) == (group_size is None):
        raise InvalidInput("Give either the number of groups or the group size.", field="n_groups")
    invitations = group_people(session)
    if len(invitations) < 2:
        raise Conflict(
            "At least two people must have accepted or checked in before groups can be formed.", code="too_few"
        )
    ids, attributes = _problem_input(invitations, include_organisation)
    label_of = {i.user_id: _label(i) for i in invitations}
    user_of = {_label(i): i.user for i in invitations}
    lead_ids = set(
        SessionRole.objects.filter(
            session=session, kind__in=[SessionRoleKind.FACILITATOR, SessionRoleKind.BREAKOUT_LEAD]
        ).values_list("user_id", flat=True)
    )
    facilitators = [label_of[uid] for uid in lead_ids if uid in label_of]
    sep = _pairs_of(separate, label_of, "Keep apart")
    tog = _pairs_of(together, label_of, "Keep together")
    try:
        with single_blas_thread:
            result = form_groups(
                ids,
                attributes,
                kinds={name: "categorical" for name in attributes},
                n_groups=n_groups,
                group_size=group_size,
                facilitators=facilitators,
                strict_facilitators=True,
                separate=sep,
                together=tog,
                seed=seed,
                restarts=5,
            )
    except GroupingError as exc:
        field = "group_size" if group_size is not None else "n_groups"
        text = str(exc)
        if "separate" in text:
            field = "separate"
        elif "together" in text:
            field = "together"
        raise InvalidInput(f"These groups cannot be formed: {text}.", field=field, code="infeasible") from None
    BreakoutGroup.objects.filter(session=session).delete()
    groups = []
    for number, members in enumerate(result.groups, start=1):
        lead = next((user_of[m] for m in members if user_of[m].pk in lead_ids), None)
        group = BreakoutGroup.objects.create(session=session, number=number, lead=lead)
        BreakoutMember.objects.bulk_create(
            [BreakoutMember(group=group, session=session, user=user_of[m]) for m in members]
        )
        groups.append(group)
    session.grouping = {
        "n_groups": len(result.groups),
        "include_organisation": include_organisation,
        "separate": [[user_of[a].pk, user_of[b].pk] for a, b in sep],
        "together": [[user_of[a].pk, user_of[b].pk] for a, b in tog],
        "seed": seed,
        "objective": round(result.objective, 6),
        "formed_objective": round(result.objective, 6),
        "formed_at": timezone.now().isoformat(),
    }
    session.save(update_fields=["grouping"])
    return groups


def _saved_problem(session: Session):
    """Rebuild the engine's problem for the saved groups (same people, attributes and constraints)."""
    from convene.engines.grouping import GroupingError, prepare

    members = list(
        BreakoutMember.objects.filter(session=session).select_related("group").order_by("group__number", "user_id")
    )
    if not members:
        raise Conflict("Form the groups first.", code="no_groups")
    invitations = {
        i.user_id: i
        for i in session.invitations.filter(user_id__in=[m.user_id for m in members]).select_related(
            "user__profile", "community"
        )
    }
    ordered = [invitations[m.user_id] for m in members if m.user_id in invitations]
    ids, attributes = _problem_input(ordered, bool(session.grouping.get("include_organisation")))
    label_of = {i.user_id: _label(i) for i in ordered}
    lead_ids = set(
        SessionRole.objects.filter(
            session=session, kind__in=[SessionRoleKind.FACILITATOR, SessionRoleKind.BREAKOUT_LEAD]
        ).values_list("user_id", flat=True)
    )
    groups = list(session.breakout_groups.order_by("number"))
    try:
        problem = prepare(
            ids,
            attributes,
            kinds={name: "categorical" for name in attributes},
            n_groups=len(groups),
            min_size=0,
            max_size=len(ids),
            facilitators=[label_of[u] for u in lead_ids if u in label_of],
            separate=[
                (label_of[a], label_of[b])
                for a, b in session.grouping.get("separate", [])
                if a in label_of and b in label_of
            ],
        )
    except GroupingError as exc:  # pragma: no cover - the saved groups were feasible when formed
        raise Conflict(f"The saved groups cannot be scored: {exc}.", code="infeasible") from None
    number_index = {g.pk: idx for idx, g in enumerate(groups)}
    assignment = {label_of[m.user_id]: number_index[m.group_id] for m in members if m.user_id in label_of}
    return problem, assignment, label_of, groups


def group_move_score(*, session: Session, user: User, to_number: int) -> dict:
    """What moving `user` to group `to_number` would do to the objective (nothing is saved)."""
    from convene.engines.grouping import evaluate, score_move

    problem, assignment, label_of, groups = _saved_problem(session)
    if user.pk not in label_of:
        raise InvalidInput(f"{user.display_name} is not in any breakout group.", field="user")
    numbers = [g.number for g in groups]
    if to_number not in numbers:
        raise InvalidInput(f"There is no group {to_number}; choose 1 to {len(groups)}.", field="to_group")
    before = evaluate(problem, assignment)
    result = score_move(problem, label_of[user.pk], numbers.index(to_number), assignment)
    sizes = [sum(1 for g in result.assignment.values() if g == idx) for idx in range(len(groups))]
    warnings = [v for v in result.violations if "size" not in v]
    if min(sizes) == 0:
        warnings.append("the move would leave a group empty")
    return {
        "before": round(before, 6),
        "after": round(result.objective, 6),
        "delta": round(result.delta, 6),
        "warnings": warnings,
        "sizes": sizes,
    }


@transaction.atomic
def group_move(*, session: Session, actor: User, user: User, to_number: int) -> dict:
    session = _lock(session)
    _require_state(session, RECORD_STATES, "Moving people between groups")
    score = group_move_score(session=session, user=user, to_number=to_number)
    if min(score["sizes"]) == 0:
        raise Conflict(f"Moving {user.display_name} would leave a group empty.", code="empty_group")
    group = BreakoutGroup.objects.get(session=session, number=to_number)
    BreakoutMember.objects.filter(session=session, user=user).update(group=group)
    session.grouping = {**session.grouping, "objective": score["after"]}
    session.save(update_fields=["grouping"])
    return score
