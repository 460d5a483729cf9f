"""Follow-up actions: created with an owner, updated (status, owner, due date)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from convene.accounts.models import User
from convene.communities.models import Membership
from convene.core.errors import InvalidInput
from convene.core.text import clean_text
from convene.notifications.services import notify

from ..models import (
    ActionStatus,
    FollowUp,
    Session,
    SessionInvitation,
    SessionState,
)
from .common import require_state


def _owner_ok(session: Session, owner: User) -> None:
    invited = SessionInvitation.objects.filter(session=session, user=owner).exists()
    host = Membership.objects.filter(community_id=session.host_id, user=owner).exists()
    if not (invited or host):
        raise InvalidInput(
            _("The owner must be someone invited to the session or a member of the host."), field="owner"
        )


@transaction.atomic
def follow_up_create(*, session: Session, actor: User, title: str, owner: User, due: date | None = None) -> FollowUp:
    require_state(session, (SessionState.IN_PROGRESS, SessionState.HELD), _("Adding follow-up actions"))
    _owner_ok(session, owner)
    action = FollowUp.objects.create(
        session=session,
        title=clean_text(title, field="title", limit=300, required=True),
        owner=owner,
        due=due,
        created_by=actor,
    )
    _assigned_notify(action, actor)
    return action


def _assigned_notify(action: FollowUp, actor: User) -> None:
    """The owner hears about an action given to them (not one they gave themselves)."""
    session = action.session
    values = {"name": actor.display_name, "session": session.title, "action": action.title}
    notify(
        recipients=[action.owner_id],
        kind="action.assigned",
        obj=action,
        text=(
            _("%(name)s gave you a follow-up action from “%(session)s”: %(action)s, due on %(due)s.")
            % {**values, "due": date_format(action.due, "l d F Y")}
            if action.due
            else _("%(name)s gave you a follow-up action from “%(session)s”: %(action)s.") % values
        ),
        url=reverse("convening:record", args=[session.pk]),
        community=session.host,
        actor=actor,
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
            raise InvalidInput(_("Status must be open, in progress or done."), field="status")
        action.status = status
        fields.append("status")
    if title is not None:
        action.title = clean_text(title, field="title", limit=300, required=True)
        fields.append("title")
    if due is not None:
        action.due = due
        fields.append("due")
    reassigned = False
    if owner is not None:
        _owner_ok(action.session, owner)
        reassigned = owner.pk != action.owner_id
        action.owner = owner
        fields.append("owner")
    if fields:
        action.save(update_fields=fields)
    if reassigned:
        _assigned_notify(action, actor)
    return action
