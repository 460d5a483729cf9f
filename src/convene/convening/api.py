"""API routes for convening: catalogue, sessions, invitations and RSVP, room preview, agenda, attendance,
notes/outcomes/follow-ups, speaking turns, breakthrough picker and breakout groups."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import StrictBool

from convene.accounts.models import User
from convene.communities.models import Community, Role
from convene.communities.permissions import Need, community_for
from convene.core.api import ERRORS, OPTIONAL, WholeInt
from convene.core.errors import InvalidInput
from convene.notifications.schemas import MessageOut, SessionMessageIn

from . import selectors, services
from .models import (
    ActionStatus,
    ActivityType,
    Commitment,
    Rsvp,
    Session,
    SessionInvitation,
    SessionRole,
    SessionRoleKind,
    SessionState,
)
from .permissions import (
    SessionNeed,
    email_invitation_for,
    invitation_of,
    is_manager,
    session_for,
    visible_sessions,
)

router = Router(tags=["convening"])


# --------------------------------------------------------------------------- schemas


class AgendaTemplateItem(Schema):
    title: str
    minutes: int = 0


class ActivityOut(Schema):
    slug: str
    name: str
    parent: str | None
    summary: str
    what: str
    why: str
    how: str
    pitfalls: str
    agenda_template: list[dict]
    is_boundary: bool
    opens_tool: str
    tool_url: str | None


class SessionOut(Schema):
    id: int
    title: str
    host: str
    invited_communities: list[str]
    activity: str
    activity_name: str = Field(..., description="The activity as the host community calls it.")
    catalogue_entry: int | None = Field(..., description="The host's catalogue entry it was planned from.")
    purpose: str
    boundary_concern: str
    starts_at: datetime
    ends_at: datetime
    local_start: str
    time_zone: str
    duration_minutes: int
    place: str
    online_link: str
    capacity: int | None
    state: SessionState
    accepted: int
    waitlisted: int
    picked_candidate_id: int | None
    tool_url: str | None


class SessionIn(Schema):
    title: str = Field(..., max_length=1000)
    activity: str = Field(
        ...,
        max_length=60,
        description="Slug of a shipped activity type, or `entry-<id>` for an entry of the host community's "
        "own catalogue (its own activities and its versions of shipped ones).",
    )
    starts_at: datetime = Field(
        ..., description="With an offset, or as local wall-clock time in `time_zone` when given without one."
    )
    time_zone: str = Field("UTC", max_length=64)
    duration_minutes: WholeInt = 90
    purpose: str = Field("", max_length=20000)
    boundary_concern: str = Field("", max_length=20000)
    place: str = Field("", max_length=1000)
    online_link: str = Field("", max_length=1000)
    capacity: WholeInt | None = None
    invited_communities: list[str] = Field(default_factory=list, max_length=50, description="Community slugs.")


class SessionPatch(Schema):
    title: str | None = Field(None, max_length=1000)
    starts_at: datetime | None = None
    time_zone: str | None = Field(None, max_length=64)
    duration_minutes: WholeInt | None = None
    purpose: str | None = Field(None, max_length=20000)
    boundary_concern: str | None = Field(None, max_length=20000)
    place: str | None = Field(None, max_length=1000)
    online_link: str | None = Field(None, max_length=1000)
    capacity: WholeInt | None = None
    invited_communities: list[str] | None = Field(None, max_length=50)


class ConveningTransitionIn(Schema):
    to: SessionState


class InviteIn(Schema):
    community: str | None = Field(None, max_length=60, description="Community slug: the whole community or a role.")
    role: Role | None = None
    user_id: WholeInt | None = None
    email: str | None = Field(None, max_length=254)


class ConveningInvitationOut(Schema):
    id: int
    user_id: int | None = Field(description="Null when the viewer may not see who it is.")
    name: str
    community: str | None
    via: str
    rsvp: Rsvp
    needs: str
    checked_in_at: datetime | None


class InviteResult(Schema):
    invited: int


class InvitationAcceptIn(Schema):
    token: str = Field(max_length=64)
    share_answers: StrictBool = Field(
        False, description="Let your private diversity answers count in this session's room preview."
    )


class RsvpIn(Schema):
    answer: Rsvp
    needs: str | None = Field(None, max_length=5000)


class MyRsvpOut(Schema):
    rsvp: Rsvp
    needs: str
    checked_in_at: datetime | None
    hand_raised: bool


class AgendaIn(Schema):
    title: str = Field(..., max_length=1000)
    minutes: WholeInt = 10
    detail: str = Field("", max_length=5000)
    position: WholeInt | None = None


class AgendaPatch(Schema):
    title: str | None = Field(None, max_length=1000)
    minutes: WholeInt | None = None
    detail: str | None = Field(None, max_length=5000)
    position: WholeInt | None = None


class AgendaOut(Schema):
    id: int
    position: int
    title: str
    minutes: int
    detail: str


class AttendanceIn(Schema):
    user_id: WholeInt
    present: StrictBool = True


class CodeIn(Schema):
    code: str = Field(..., max_length=40)


class AttendanceOut(Schema):
    user_id: int
    name: str
    community: str | None
    rsvp: Rsvp
    checked_in_at: datetime | None


class TextIn(Schema):
    text: str = Field(..., max_length=20000)


class ConveningNoteOut(Schema):
    id: int
    author_id: int | None
    text: str
    created_at: datetime


class OutcomeOut(Schema):
    id: int
    text: str
    created_at: datetime


class ActionIn(Schema):
    title: str = Field(..., max_length=1000)
    owner_id: WholeInt
    due: date | None = None


class ActionPatch(Schema):
    title: str | None = Field(None, max_length=1000)
    status: ActionStatus | None = None
    due: date | None = None
    owner_id: WholeInt | None = None


class ActionOut(Schema):
    id: int
    title: str
    owner_id: int
    due: date | None
    status: ActionStatus


class ConveningRoleIn(Schema):
    user_id: WholeInt
    kind: SessionRoleKind


class RoleOut(Schema):
    id: int
    user_id: int
    kind: SessionRoleKind


class TurnIn(Schema):
    user_id: WholeInt


class TurnOut(Schema):
    id: int
    user_id: int
    community: str | None
    at: datetime


class HandIn(Schema):
    raised: StrictBool = True


class QueuePerson(Schema):
    user_id: int
    name: str
    community: str | None
    turns: int
    hand_raised_at: datetime | None


class QueueShare(Schema):
    community: str
    turns: int
    share: float
    people: int
    room_share: float


class QueueOut(Schema):
    total_turns: int
    people: list[QueuePerson]
    not_spoken: list[int]
    shares: list[QueueShare]


class CandidateIn(Schema):
    title: str = Field(..., max_length=1000)
    description: str = Field("", max_length=5000)


class CandidateOut(Schema):
    id: int
    title: str
    description: str


class RatingIn(Schema):
    usefulness: WholeInt
    commitment: Commitment


class RatingOut(Schema):
    candidate_id: int
    usefulness: int
    commitment: Commitment


class RankedOut(Schema):
    rank: int | None
    candidate_id: int
    title: str
    min_community_usefulness: float | None
    weakest_community: str | None
    per_community: dict[str, float]
    commitment: float | None
    mean_usefulness: float | None
    complete: bool
    missing_communities: list[str]
    n_ratings: int
    picked: bool


class GroupsIn(Schema):
    n_groups: WholeInt | None = None
    group_size: WholeInt | None = None
    include_organisation: StrictBool = False
    separate: list[list[WholeInt]] = Field(default_factory=list, max_length=200, description="Pairs of user ids.")
    together: list[list[WholeInt]] = Field(default_factory=list, max_length=200, description="Pairs of user ids.")
    seed: WholeInt = Field(0, ge=0, le=2**31)


class ConveningGroupOut(Schema):
    number: int
    lead_id: int | None
    members: list[int]
    mix: dict[str, dict[str, int]]


class GroupsOut(Schema):
    objective: float | None
    groups: list[ConveningGroupOut]


class MoveIn(Schema):
    user_id: WholeInt
    to_group: WholeInt
    dry_run: StrictBool = False


class MoveOut(Schema):
    before: float
    after: float
    delta: float
    warnings: list[str]
    sizes: list[int]
    saved: bool


# --------------------------------------------------------------------------- helpers


def _activity_out(a: ActivityType) -> dict:
    return {
        "slug": a.slug,
        "name": a.name,
        "parent": a.parent.slug if a.parent else None,
        "summary": a.summary,
        "what": a.what,
        "why": a.why,
        "how": a.how,
        "pitfalls": a.pitfalls,
        "agenda_template": a.agenda_template or [],
        "is_boundary": a.is_boundary,
        "opens_tool": a.opens_tool,
        "tool_url": selectors.tool_link(a),
    }


def _session_out(s: Session) -> dict:
    invitations = list(s.invitations.values_list("rsvp", flat=True))
    return {
        "id": s.pk,
        "title": s.title,
        "host": s.host.slug,
        "invited_communities": [c.slug for c in s.invited_communities.all()],
        "activity": s.activity.slug,
        "activity_name": s.activity_name,
        "catalogue_entry": s.catalogue_entry_id,
        "purpose": s.purpose,
        "boundary_concern": s.boundary_concern,
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "local_start": s.local_start.isoformat(),
        "time_zone": s.time_zone,
        "duration_minutes": s.duration_minutes,
        "place": s.place,
        "online_link": s.online_link,
        "capacity": s.capacity,
        "state": s.state,
        "accepted": invitations.count(Rsvp.YES),
        "waitlisted": invitations.count(Rsvp.WAITLIST),
        "picked_candidate_id": s.picked_candidate_id,
        "tool_url": selectors.tool_link(s),
    }


def _invitation_out(row: dict) -> dict:
    return {
        "id": row["id"],
        "user_id": row["user_id"],
        "name": row["name"],
        "community": row["community"].slug if row["community"] else None,
        "via": row["via"],
        "rsvp": row["rsvp"],
        "needs": row["needs"],
        "checked_in_at": row["checked_in_at"],
    }


def _communities(user, slugs: list[str]) -> list[Community]:
    out = []
    for slug in slugs:
        out.append(community_for(user, slug))
    return out


def _user(user_id: int, field: str = "user_id") -> User:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise InvalidInput(_("There is no person with id %(id)s.") % {"id": user_id}, field=field)
    return user


def _invited_user(session: Session, user_id: int, field: str = "user_id") -> User:
    invitation = SessionInvitation.objects.filter(session=session, user_id=user_id).select_related("user").first()
    if invitation is None:
        raise InvalidInput(_("Person %(id)s is not on this session's list.") % {"id": user_id}, field=field)
    return invitation.user


def _preview_json(preview: dict) -> dict:
    def part(p):
        return {
            "total": p["total"],
            "profile": p["profile"],
            "diversity": p["diversity"],
            "diversity_total": p["diversity_total"].api(),
            "diversity_total_text": str(p["diversity_total"]),
            "warnings": p["warnings"],
            "notes": [p["hidden_note"], p["rounded_note"]],
        }

    return {"invited": part(preview["invited"]), "accepted": part(preview["accepted"])}


# --------------------------------------------------------------------------- catalogue


@router.get("/activities", response=list[ActivityOut], auth=OPTIONAL, summary="The activity catalogue")
def list_activities(request):
    return [_activity_out(a) for a in ActivityType.objects.filter(active=True).select_related("parent")]


@router.get("/activities/{slug}", response={200: ActivityOut, **ERRORS}, auth=OPTIONAL)
def get_activity(request, slug: str):
    activity = ActivityType.objects.filter(active=True, slug=slug[:60]).select_related("parent").first()
    if activity is None:
        raise Http404(_("No such activity."))
    return _activity_out(activity)


# --------------------------------------------------------------------------- sessions


@router.get("/communities/{slug}/sessions", response={200: list[SessionOut], **ERRORS})
@paginate(LimitOffsetPagination)
def list_sessions(request, slug: str):
    community = community_for(request.user, slug, need=Need.GUEST)
    return [_session_out(s) for s in visible_sessions(request.user, community).order_by("-starts_at")]


@router.post("/communities/{slug}/sessions", response={201: SessionOut, **ERRORS}, summary="Plan a session (draft)")
def create_session(request, slug: str, payload: SessionIn):
    community = community_for(request.user, slug, need=Need.COORDINATOR)
    entry = None
    if payload.activity.startswith(selectors.ENTRY_CHOICE):
        activity, entry = selectors.activity_choice(community, payload.activity)
        if entry is None:
            raise InvalidInput(
                _("There is no “%(activity)s” in the catalogue of %(community)s.")
                % {"activity": payload.activity[:60], "community": community.name},
                field="activity",
            )
    else:
        activity = ActivityType.objects.filter(slug=payload.activity[:60]).first()
        if activity is None:
            raise InvalidInput(
                _("There is no activity type “%(activity)s”.") % {"activity": payload.activity[:60]}, field="activity"
            )
    data = payload.dict(exclude={"activity", "invited_communities"})
    session = services.session_create(
        host=community,
        actor=request.user,
        activity=activity,
        catalogue_entry=entry,
        invited_communities=_communities(request.user, payload.invited_communities),
        **data,
    )
    return Status(201, _session_out(session))


@router.get("/sessions/{session_id}", response={200: SessionOut, **ERRORS})
def get_session(request, session_id: int):
    return _session_out(session_for(request.user, session_id))


@router.patch("/sessions/{session_id}", response={200: SessionOut, **ERRORS})
def update_session(request, session_id: int, payload: SessionPatch):
    session = session_for(request.user, session_id, need=SessionNeed.MANAGE)
    changes = payload.dict(exclude_unset=True)
    if "invited_communities" in changes and changes["invited_communities"] is not None:
        changes["invited_communities"] = _communities(request.user, changes["invited_communities"])
    return _session_out(services.session_update(session=session, actor=request.user, **changes))


@router.post("/sessions/{session_id}/transition", response={200: SessionOut, **ERRORS})
def transition_session(request, session_id: int, payload: ConveningTransitionIn):
    session = session_for(request.user, session_id, need=SessionNeed.MANAGE)
    return _session_out(services.session_transition(session=session, actor=request.user, to=payload.to))


# --------------------------------------------------------------------------- invitations, RSVP, preview


@router.get("/sessions/{session_id}/invitations", response={200: list[ConveningInvitationOut], **ERRORS})
@paginate(LimitOffsetPagination)
def list_invitations(request, session_id: int):
    session = session_for(request.user, session_id, need=SessionNeed.COHOST)
    return [_invitation_out(row) for row in selectors.guest_list(session, request.user)]


@router.post("/sessions/{session_id}/invitations", response={201: InviteResult, **ERRORS})
def invite(request, session_id: int, payload: InviteIn):
    """Invite by ``user_id`` (members of the host and the communities taking part only), a whole
    ``community`` (optionally one ``role``), or anyone by ``email``: an e-mail invitation is a link
    to accept, and the answer is the same whether or not the address has an account. Co-hosts
    (coordinators of a community taking part) invite within the communities taking part."""
    session = session_for(request.user, session_id, need=SessionNeed.COHOST)
    if payload.email:
        made = services.invitation_email_add(session=session, actor=request.user, email=payload.email)
        return Status(201, {"invited": 1 if made is not None else 0})
    if payload.user_id is not None:
        person = User.objects.filter(pk=payload.user_id).first()
        if person is None:
            raise InvalidInput(services.NOT_BY_NAME, field="user_id")
        created = services.invitation_add(session=session, actor=request.user, user=person)
    elif payload.community:
        community = community_for(request.user, payload.community)
        if not is_manager(request.user, session) and community.pk not in session.community_ids():
            raise PermissionDenied(
                _("Co-hosts invite within the communities taking part; ask the host to add another.")
            )
        created = services.invitation_add(session=session, actor=request.user, community=community, role=payload.role)
    else:
        raise InvalidInput(_("Give a community (optionally with a role), a user_id or an email."), field="community")
    return Status(201, {"invited": len(created)})


@router.post(
    "/sessions/{session_id}/messages", response={201: MessageOut, **ERRORS}, summary="Write to a session's people"
)
def session_message(request, session_id: int, payload: SessionMessageIn):
    """Coordinators and co-hosts write to everyone invited, those attending or those on the waiting
    list; each gets a notification (mail as they chose), and nobody sees anyone's address."""
    session = session_for(request.user, session_id, need=SessionNeed.COHOST)
    sent = services.session_message_send(
        session=session, actor=request.user, audience=payload.audience, text=payload.text
    )
    return Status(201, {"sent": sent, "text": payload.text.strip()})


@router.post("/invitations/accept", response={200: MyRsvpOut, **ERRORS}, summary="Accept an e-mail invitation")
def accept_email_invitation(request, payload: InvitationAcceptIn):
    invitation = email_invitation_for(payload.token)
    guest = services.invitation_email_accept(
        invitation=invitation, user=request.user, shares_answers=payload.share_answers
    )
    return {
        "rsvp": guest.rsvp,
        "needs": guest.needs,
        "checked_in_at": guest.checked_in_at,
        "hand_raised": guest.hand_raised_at is not None,
    }


@router.get("/sessions/{session_id}/rsvp", response={200: MyRsvpOut, **ERRORS})
def my_rsvp(request, session_id: int):
    session = session_for(request.user, session_id, need=SessionNeed.VIEW)
    invitation = invitation_of(request.user, session)
    if invitation is None:
        raise Http404(_("You are not invited to this session."))
    return {
        "rsvp": invitation.rsvp,
        "needs": invitation.needs,
        "checked_in_at": invitation.checked_in_at,
        "hand_raised": invitation.hand_raised_at is not None,
    }


@router.post("/sessions/{session_id}/rsvp", response={200: MyRsvpOut, **ERRORS})
def answer_rsvp(request, session_id: int, payload: RsvpIn):
    session = session_for(request.user, session_id, need=SessionNeed.PARTICIPATE)
    invitation = services.rsvp_set(session=session, user=request.user, answer=payload.answer, needs=payload.needs)
    return {
        "rsvp": invitation.rsvp,
        "needs": invitation.needs,
        "checked_in_at": invitation.checked_in_at,
        "hand_raised": invitation.hand_raised_at is not None,
    }


@router.get("/sessions/{session_id}/preview", response={200: dict, **ERRORS}, summary="Who would be in the room")
def room_preview(request, session_id: int):
    session = session_for(request.user, session_id, need=SessionNeed.COHOST)
    return _preview_json(selectors.room_preview(session))


# --------------------------------------------------------------------------- agenda


@router.get("/sessions/{session_id}/agenda", response={200: list[AgendaOut], **ERRORS})
def list_agenda(request, session_id: int):
    return list(session_for(request.user, session_id).agenda.all())


@router.post("/sessions/{session_id}/agenda", response={201: AgendaOut, **ERRORS})
def add_agenda_item(request, session_id: int, payload: AgendaIn):
    session = session_for(request.user, session_id, need=SessionNeed.MANAGE)
    return Status(201, services.agenda_item_add(session=session, actor=request.user, **payload.dict()))


@router.patch("/sessions/{session_id}/agenda/{item_id}", response={200: AgendaOut, **ERRORS})
def update_agenda_item(request, session_id: int, item_id: int, payload: AgendaPatch):
    session = session_for(request.user, session_id, need=SessionNeed.MANAGE)
    return services.agenda_item_update(
        item=selectors.agenda_item_in(session, item_id), actor=request.user, **payload.dict(exclude_unset=True)
    )


@router.delete("/sessions/{session_id}/agenda/{item_id}", response={204: None, **ERRORS})
def delete_agenda_item(request, session_id: int, item_id: int):
    session = session_for(request.user, session_id, need=SessionNeed.MANAGE)
    services.agenda_item_delete(item=selectors.agenda_item_in(session, item_id), actor=request.user)
    return Status(204, None)


# --------------------------------------------------------------------------- attendance and roles


@router.get("/sessions/{session_id}/attendance", response={200: list[AttendanceOut], **ERRORS})
def list_attendance(request, session_id: int):
    session = session_for(request.user, session_id, need=SessionNeed.FACILITATE)
    return [
        {
            "user_id": i.user_id,
            "name": i.user.display_name,
            "community": i.community.slug if i.community else None,
            "rsvp": i.rsvp,
            "checked_in_at": i.checked_in_at,
        }
        for i in session.invitations.select_related("user__profile", "community")
    ]


@router.post("/sessions/{session_id}/attendance", response={200: AttendanceOut, **ERRORS})
def mark_attendance(request, session_id: int, payload: AttendanceIn):
    session = session_for(request.user, session_id, need=SessionNeed.FACILITATE)
    invitation = services.attendance_mark(
        session=session, actor=request.user, user=_user(payload.user_id), present=payload.present
    )
    return {
        "user_id": invitation.user_id,
        "name": invitation.user.display_name,
        "community": invitation.community.slug if invitation.community else None,
        "rsvp": invitation.rsvp,
        "checked_in_at": invitation.checked_in_at,
    }


@router.post("/sessions/{session_id}/check-in", response={200: MyRsvpOut, **ERRORS}, summary="Self check-in")
def self_check_in(request, session_id: int, payload: CodeIn):
    session = session_for(request.user, session_id, need=SessionNeed.PARTICIPATE)
    invitation = services.attendance_self(session=session, user=request.user, code=payload.code)
    return {
        "rsvp": invitation.rsvp,
        "needs": invitation.needs,
        "checked_in_at": invitation.checked_in_at,
        "hand_raised": invitation.hand_raised_at is not None,
    }


@router.get("/sessions/{session_id}/roles", response={200: list[RoleOut], **ERRORS})
def list_roles(request, session_id: int):
    return list(SessionRole.objects.filter(session=session_for(request.user, session_id)))


@router.post("/sessions/{session_id}/roles", response={201: RoleOut, **ERRORS})
def give_role(request, session_id: int, payload: ConveningRoleIn):
    session = session_for(request.user, session_id, need=SessionNeed.COHOST)
    person = _user(payload.user_id)
    if not is_manager(request.user, session) and person.pk not in selectors.nameable_user_ids(session, request.user):
        raise InvalidInput(_("There is no person with id %(id)s.") % {"id": payload.user_id}, field="user_id")
    role = services.role_assign(session=session, actor=request.user, user=person, kind=payload.kind)
    return Status(201, role)


@router.delete("/sessions/{session_id}/roles/{role_id}", response={204: None, **ERRORS})
def remove_role(request, session_id: int, role_id: int):
    session = session_for(request.user, session_id, need=SessionNeed.COHOST)
    role = selectors.session_role_in(session, role_id)
    services.role_remove(session=session, actor=request.user, user=role.user, kind=role.kind)
    return Status(204, None)


# --------------------------------------------------------------------------- notes, outcomes, follow-ups


@router.get("/sessions/{session_id}/notes", response={200: list[ConveningNoteOut], **ERRORS})
@paginate(LimitOffsetPagination)
def list_notes(request, session_id: int):
    return session_for(request.user, session_id).notes.all()


@router.post("/sessions/{session_id}/notes", response={201: ConveningNoteOut, **ERRORS})
def add_note(request, session_id: int, payload: TextIn):
    session = session_for(request.user, session_id, need=SessionNeed.PARTICIPATE)
    return Status(201, services.note_add(session=session, author=request.user, text=payload.text))


@router.get("/sessions/{session_id}/outcomes", response={200: list[OutcomeOut], **ERRORS})
def list_outcomes(request, session_id: int):
    return list(session_for(request.user, session_id).outcomes.all())


@router.post("/sessions/{session_id}/outcomes", response={201: OutcomeOut, **ERRORS})
def add_outcome(request, session_id: int, payload: TextIn):
    session = session_for(request.user, session_id, need=SessionNeed.MANAGE)
    return Status(201, services.outcome_add(session=session, actor=request.user, text=payload.text))


@router.get("/sessions/{session_id}/actions", response={200: list[ActionOut], **ERRORS})
def list_actions(request, session_id: int):
    return list(session_for(request.user, session_id).actions.all())


@router.post("/sessions/{session_id}/actions", response={201: ActionOut, **ERRORS})
def add_action(request, session_id: int, payload: ActionIn):
    session = session_for(request.user, session_id, need=SessionNeed.MANAGE)
    action = services.follow_up_create(
        session=session,
        actor=request.user,
        title=payload.title,
        owner=_user(payload.owner_id, "owner_id"),
        due=payload.due,
    )
    return Status(201, action)


@router.patch("/sessions/{session_id}/actions/{action_id}", response={200: ActionOut, **ERRORS})
def update_action(request, session_id: int, action_id: int, payload: ActionPatch):
    session = session_for(request.user, session_id)
    action = selectors.follow_up_in(session, action_id)
    if action.owner_id != request.user.pk:
        session_for(request.user, session_id, need=SessionNeed.MANAGE)
    changes = payload.dict(exclude_unset=True)
    owner_id = changes.pop("owner_id", None)
    if owner_id is not None:
        changes["owner"] = _user(owner_id, "owner_id")
    return services.follow_up_update(action=action, actor=request.user, **changes)


# --------------------------------------------------------------------------- speaking queue


@router.get("/sessions/{session_id}/queue", response={200: QueueOut, **ERRORS})
def get_queue(request, session_id: int):
    session = session_for(request.user, session_id, need=SessionNeed.FACILITATE)
    q = selectors.queue_state(session)
    return {
        "total_turns": q["total_turns"],
        "people": [
            {
                "user_id": p["user"].pk,
                "name": p["user"].display_name,
                "community": p["invitation"].community.slug if p["invitation"].community else None,
                "turns": p["turns"],
                "hand_raised_at": p["hand"],
            }
            for p in q["people"]
        ],
        "not_spoken": [p["user"].pk for p in q["not_spoken"]],
        "shares": q["shares"],
    }


@router.post("/sessions/{session_id}/turns", response={201: TurnOut, **ERRORS}, summary="Give someone the floor")
def give_turn(request, session_id: int, payload: TurnIn):
    session = session_for(request.user, session_id, need=SessionNeed.FACILITATE)
    turn = services.turn_give(session=session, actor=request.user, user=_user(payload.user_id))
    return Status(
        201,
        {
            "id": turn.pk,
            "user_id": turn.user_id,
            "community": turn.community.slug if turn.community else None,
            "at": turn.at,
        },
    )


@router.post("/sessions/{session_id}/hand", response={200: MyRsvpOut, **ERRORS}, summary="Raise or lower my hand")
def raise_hand(request, session_id: int, payload: HandIn):
    session = session_for(request.user, session_id, need=SessionNeed.PARTICIPATE)
    invitation = services.hand_set(session=session, user=request.user, raised=payload.raised)
    return {
        "rsvp": invitation.rsvp,
        "needs": invitation.needs,
        "checked_in_at": invitation.checked_in_at,
        "hand_raised": invitation.hand_raised_at is not None,
    }


# --------------------------------------------------------------------------- breakthrough picker


@router.get("/sessions/{session_id}/candidates", response={200: list[RankedOut], **ERRORS}, summary="Ranked candidates")
def list_candidates(request, session_id: int):
    session = session_for(request.user, session_id)
    return [
        {
            "rank": r["rank"],
            "candidate_id": r["candidate"].pk,
            "title": r["candidate"].title,
            "min_community_usefulness": r["min_community_usefulness"],
            "weakest_community": r["weakest_community"],
            "per_community": r["per_community"],
            "commitment": r["commitment"],
            "mean_usefulness": r["mean_usefulness"],
            "complete": r["complete"],
            "missing_communities": r["missing_communities"],
            "n_ratings": r["n_ratings"],
            "picked": r["candidate"].pk == session.picked_candidate_id,
        }
        for r in selectors.picker_ranking(session)
    ]


@router.post("/sessions/{session_id}/candidates", response={201: CandidateOut, **ERRORS})
def propose_candidate(request, session_id: int, payload: CandidateIn):
    session = session_for(request.user, session_id, need=SessionNeed.PARTICIPATE)
    return Status(201, services.candidate_propose(session=session, user=request.user, **payload.dict()))


@router.put("/sessions/{session_id}/candidates/{candidate_id}/rating", response={200: RatingOut, **ERRORS})
def rate_candidate(request, session_id: int, candidate_id: int, payload: RatingIn):
    session = session_for(request.user, session_id, need=SessionNeed.PARTICIPATE)
    candidate = selectors.candidate_in(session, candidate_id)
    rating = services.rating_set(candidate=candidate, user=request.user, **payload.dict())
    return {"candidate_id": rating.candidate_id, "usefulness": rating.usefulness, "commitment": rating.commitment}


@router.post("/sessions/{session_id}/candidates/{candidate_id}/pick", response={200: SessionOut, **ERRORS})
def pick_candidate(request, session_id: int, candidate_id: int):
    session = session_for(request.user, session_id, need=SessionNeed.MANAGE)
    candidate = selectors.candidate_in(session, candidate_id)
    return _session_out(services.candidate_pick(session=session, actor=request.user, candidate=candidate))


# --------------------------------------------------------------------------- breakout groups


def _groups_out(session: Session, user) -> dict:
    groups = selectors.breakout_groups(session)
    if not is_manager(user, session):  # attendees see their own group only
        groups = [g for g in groups if any(m["user"].pk == user.pk for m in g["members"])]
    return {
        "objective": session.grouping.get("objective"),
        "groups": [
            {
                "number": g["number"],
                "lead_id": g["lead"].pk if g["lead"] else None,
                "members": [m["user"].pk for m in g["members"]],
                "mix": g["mix"],
            }
            for g in groups
        ],
    }


def _pairs(session, pairs: list[list[int]], field: str) -> list[tuple[User, User]]:
    out = []
    for pair in pairs:
        if len(pair) != 2:
            raise InvalidInput(_("Each pair must hold exactly two user ids."), field=field)
        out.append(tuple(_invited_user(session, uid, field) for uid in pair))
    return out


@router.get("/sessions/{session_id}/groups", response={200: GroupsOut, **ERRORS})
def get_groups(request, session_id: int):
    session = session_for(request.user, session_id)
    return _groups_out(session, request.user)


@router.post("/sessions/{session_id}/groups", response={201: GroupsOut, **ERRORS}, summary="Form breakout groups")
def form_groups(request, session_id: int, payload: GroupsIn):
    session = session_for(request.user, session_id, need=SessionNeed.MANAGE)
    services.groups_form(
        session=session,
        actor=request.user,
        n_groups=payload.n_groups,
        group_size=payload.group_size,
        include_organisation=payload.include_organisation,
        separate=_pairs(session, payload.separate, "separate"),
        together=_pairs(session, payload.together, "together"),
        seed=payload.seed,
    )
    session.refresh_from_db()
    return Status(201, _groups_out(session, request.user))


@router.post("/sessions/{session_id}/groups/move", response={200: MoveOut, **ERRORS}, summary="Move a person")
def move_in_groups(request, session_id: int, payload: MoveIn):
    session = session_for(request.user, session_id, need=SessionNeed.MANAGE)
    user = _user(payload.user_id)
    if payload.dry_run:
        score = services.group_move_score(session=session, user=user, to_number=payload.to_group)
    else:
        score = services.group_move(session=session, actor=request.user, user=user, to_number=payload.to_group)
    return {**score, "saved": not payload.dry_run}
