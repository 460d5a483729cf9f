"""What several convening services share: input checks (time zone, start, link, capacity,
duration), the session row lock and state guard, and which community a person takes part for."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from convene.accounts.models import User
from convene.communities.models import Community, Membership
from convene.core.errors import Conflict, InvalidInput
from convene.core.text import clean_text

from ..models import (
    Session,
    SessionState,
)

NOT_BY_NAME = gettext_lazy(
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
            _("“%(name)s” is not a time zone name; use one like Europe/London or America/Argentina/Buenos_Aires.")
            % {"name": name[:64]},
            field="time_zone",
        ) from None


def start_utc(starts_at: datetime, time_zone: str) -> datetime:
    tz = zone(time_zone)
    if not isinstance(starts_at, datetime):
        raise InvalidInput(_("Give the start as a date and time."), field="starts_at")
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at, tz)
    return starts_at.astimezone(ZoneInfo("UTC"))


def require_future(starts_at: datetime) -> None:
    if starts_at <= timezone.now():
        raise InvalidInput(_("The start time is in the past; choose a time that is still to come."), field="starts_at")


def clean_link(value: str) -> str:
    value = clean_text(value, field="online_link", limit=500, label=_("Online link"))
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            raise InvalidInput(
                _("The online link must be a web address starting with https://."), field="online_link"
            ) from None
    return value


def clean_capacity(value) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(_("Capacity must be a whole number of at least 1, or empty for no limit."), field="capacity")
    return value


def clean_duration(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 5 <= value <= 24 * 60:
        raise InvalidInput(_("Duration must be between 5 minutes and 24 hours."), field="duration_minutes")
    return value


def lock_session(session: Session) -> Session:
    return Session.objects.select_for_update().get(pk=session.pk)


def require_state(session: Session, states: Iterable[str], what: str) -> None:
    states = tuple(states)
    if session.state not in states:
        allowed = pgettext("joins session states", " or ").join(SessionState(s).label.lower() for s in states)
        raise Conflict(
            _("%(what)s is only possible while the session is %(allowed)s; it is %(state)s.")
            % {"what": what, "allowed": allowed, "state": session.get_state_display().lower()},
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
