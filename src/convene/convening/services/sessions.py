"""Sessions: create, update, and move through their states (`session_transition`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from convene.accounts.models import User
from convene.communities.models import Community
from convene.communities.services import audit
from convene.core.errors import Conflict, InvalidInput
from convene.core.lifecycle import transition
from convene.core.text import clean_text, require_one_line
from convene.notifications.events import notify_mailed
from convene.notifications.services import notify

from ..models import (
    TRANSITIONS,
    ActivityType,
    AgendaItem,
    CommunityActivity,
    Rsvp,
    Session,
    SessionState,
)
from .catalogue import entry_activity
from .common import (
    OPEN_STATES,
    clean_capacity,
    clean_duration,
    clean_link,
    lock_session,
    require_future,
    start_utc,
    zone,
)
from .invitations import invitation_add, invited_notify, waitlist_promote
from .mail import invitations_send, mail_each, when_text


@transaction.atomic
def session_create(
    *,
    host: Community,
    actor: User,
    activity: ActivityType | None = None,
    catalogue_entry: CommunityActivity | None = None,
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
    coordinators); a start in the past is refused unless ``allow_past`` (the form's confirmation).
    The activity is a shipped one (``activity``) or an entry of the host's own catalogue
    (``catalogue_entry``: the session takes its name and agenda; issue 18.19)."""
    if catalogue_entry is not None:
        activity = entry_activity(entry=catalogue_entry, host=host)
    if activity is None:
        raise InvalidInput(_("Choose an activity."), field="activity")
    title = clean_text(title, field="title", limit=160, required=True)
    require_one_line(title, field="title", label=_("Title"))  # mail subjects carry it
    purpose = clean_text(purpose, field="purpose", limit=4000)
    boundary_concern = clean_text(boundary_concern, field="boundary_concern", limit=4000, label=_("Boundary concern"))
    place = clean_text(place, field="place", limit=300)
    online_link = clean_link(online_link)
    start = start_utc(starts_at, time_zone)
    if not allow_past:
        require_future(start)
    if not activity.active:
        raise InvalidInput(_("This activity type is no longer offered; choose another."), field="activity")
    others = [c for c in invited_communities if c.pk != host.pk]
    if activity.is_boundary and not others:
        raise InvalidInput(
            _("A boundary engagement brings communities together: invite at least one other community."),
            field="invited_communities",
        )
    session = Session.objects.create(
        host=host,
        activity=activity,
        catalogue_entry=catalogue_entry,
        title=title,
        purpose=purpose,
        boundary_concern=boundary_concern,
        starts_at=start,
        time_zone=str(zone(time_zone)),
        duration_minutes=clean_duration(duration_minutes),
        place=place,
        online_link=online_link,
        capacity=clean_capacity(capacity),
        created_by=actor,
    )
    session.invited_communities.set(others)
    for community in others:  # the tick-boxes invite their members and coordinators (mailed when sent)
        invitation_add(session=session, actor=actor, community=community, host_first=True)
    agenda = catalogue_entry.agenda_template if catalogue_entry is not None else activity.agenda_template
    for position, item in enumerate(agenda or []):
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
    session = lock_session(session)
    if session.state in (SessionState.CLOSED, SessionState.CANCELLED):
        raise Conflict(
            _("This session is %(state)s; it can no longer change.") % {"state": session.get_state_display().lower()},
            code="locked",
        )
    fields = []
    for name, limit in (("title", 160), ("purpose", 4000), ("boundary_concern", 4000), ("place", 300)):
        if changes.get(name) is not None:
            setattr(session, name, clean_text(changes[name], field=name, limit=limit, required=name == "title"))
            if name == "title":
                require_one_line(session.title, field="title", label=_("Title"))
            fields.append(name)
    if changes.get("online_link") is not None:
        session.online_link = clean_link(changes["online_link"])
        fields.append("online_link")
    if changes.get("duration_minutes") is not None:
        session.duration_minutes = clean_duration(changes["duration_minutes"])
        fields.append("duration_minutes")
    if changes.get("time_zone") is not None or changes.get("starts_at") is not None:
        tz_name = changes.get("time_zone") or session.time_zone
        if changes.get("starts_at") is not None:
            start = start_utc(changes["starts_at"], tz_name)
        else:  # same wall-clock time in the new zone
            start = start_utc(session.local_start.replace(tzinfo=None), tz_name)
        if start != session.starts_at and not changes.get("allow_past"):
            require_future(start)
        session.starts_at, session.time_zone = start, str(zone(tz_name))
        fields += ["starts_at", "time_zone"]
    promote = False
    if "capacity" in changes:
        capacity = clean_capacity(changes["capacity"])
        accepted = session.invitations.filter(rsvp=Rsvp.YES).count()
        if capacity is not None and capacity < accepted:
            raise InvalidInput(
                ngettext(
                    "%(count)d person has already accepted; the capacity cannot be below %(count)d.",
                    "%(count)d people have already accepted; the capacity cannot be below %(count)d.",
                    accepted,
                )
                % {"count": accepted},
                field="capacity",
            )
        promote = capacity is None or (session.capacity is not None and capacity > session.capacity)
        session.capacity = capacity
        fields.append("capacity")
    where = {"community": session.host, "actor": actor, "subject": f"session:{session.pk}"}
    if fields:
        before = Session.objects.values("starts_at", "duration_minutes", "place", "online_link").get(pk=session.pk)
        session.save(update_fields=sorted(set(fields)))
        audit(**where, action="session_updated", fields=sorted(set(fields)))
        _changes_notify(session, before, actor)
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
        waitlist_promote(session)
    return session


def _invited_people(session: Session) -> list[int]:
    """Who has been told about the session and has not said no: they hear about changes."""
    return list(
        session.invitations.filter(mailed_at__isnull=False).exclude(rsvp=Rsvp.NO).values_list("user_id", flat=True)
    )


def _changes_notify(session: Session, before: dict, actor: User) -> None:
    """Tell the invited people what changed about the time or the place, once invitations are out."""
    if session.state not in OPEN_STATES:
        return
    parts = []
    if session.starts_at != before["starts_at"] or session.duration_minutes != before["duration_minutes"]:
        parts.append(
            _("it now starts on %(when)s and lasts %(minutes)d minutes")
            % {"when": when_text(session), "minutes": session.duration_minutes}
        )
    if session.place != before["place"]:
        parts.append(
            _("the place is now %(place)s") % {"place": session.place}
            if session.place
            else _("it no longer has a place set")
        )
    if session.online_link != before["online_link"]:
        parts.append(_("the online link has changed") if session.online_link else _("it no longer has an online link"))
    if not parts:
        return
    notify(
        recipients=_invited_people(session),
        kind="session.changed",
        obj=session,
        text=_("The session “%(title)s” has changed: %(changes)s.")
        % {"title": session.title, "changes": pgettext("joins changes in a sentence", "; ").join(parts)},
        url=reverse("convening:session", args=[session.pk]),
        community=session.host,
        actor=actor,
    )


@transaction.atomic
def session_transition(*, session: Session, actor: User, to: str) -> Session:
    session = lock_session(session)
    previous = transition(
        session,
        to,
        TRANSITIONS,
        unknown=_("“{to}” is not a session state."),
        refused=_("A session that is {was_label} cannot become {to_label}."),
        code="bad_transition",
    )
    if to == SessionState.INVITATIONS_SENT:
        if session.starts_at <= timezone.now():
            raise Conflict(_("The start time has passed; move the session to a later time first."), code="past")
        if not session.invitations.exists() and not session.email_invitations.exists():
            raise Conflict(_("Invite someone before sending the invitations."), code="no_invitations")
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
        pending = session.invitations.filter(mailed_at__isnull=True).values_list("user_id", flat=True)
        invited_notify(session, list(pending), actor=actor)
        transaction.on_commit(lambda: invitations_send(session.pk))
    elif to == SessionState.CANCELLED:
        people = User.objects.filter(pk__in=_invited_people(session)).select_related("profile")
        title, when = session.title, when_text(session)
        notify_mailed(
            recipients=_invited_people(session),
            kind="session.cancelled",
            obj=session,
            text=_("The session “%(title)s” on %(when)s is cancelled.") % {"title": title, "when": when},
            url=reverse("convening:session", args=[session.pk]),
            community=session.host,
            actor=actor,
        )
        mail_each(
            people,
            lambda zone: (
                _("Cancelled: %(title)s") % {"title": title},
                _("The session “%(title)s” on %(when)s is cancelled.\n")
                % {"title": title, "when": when_text(session, zone)},
            ),
        )
    return session
