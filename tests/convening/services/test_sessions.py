"""services/sessions.py: creating, updating and moving sessions through their states."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from convene.convening import services
from convene.convening.models import ActivityType, AgendaItem
from convene.core.errors import Conflict, InvalidInput

from ..conftest import future

pytestmark = pytest.mark.django_db


def test_create_stores_utc_copies_agenda_and_validates(world, boundary):
    coordinator = world.users["coordinator"]
    local = (timezone.now() + timedelta(days=3)).astimezone(ZoneInfo("America/Argentina/Buenos_Aires"))
    naive = local.replace(tzinfo=None, second=0, microsecond=0)
    session = services.session_create(
        host=world.public,
        actor=coordinator,
        activity=boundary,
        title="Meet",
        starts_at=naive,
        time_zone="America/Argentina/Buenos_Aires",
        invited_communities=[world.private],
    )
    assert session.starts_at.utcoffset() == timedelta(0)
    assert session.local_start.replace(tzinfo=None) == naive
    assert AgendaItem.objects.filter(session=session).count() == len(boundary.agenda_template)
    with pytest.raises(InvalidInput) as exc:
        services.session_create(
            host=world.public,
            actor=coordinator,
            activity=boundary,
            title="Old",
            starts_at=timezone.now() - timedelta(1),
            invited_communities=[world.private],
        )
    assert exc.value.field == "starts_at" and "past" in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        services.session_create(
            host=world.public,
            actor=coordinator,
            activity=boundary,
            title="x",
            starts_at=future(),
            time_zone="Mars/Base",
            invited_communities=[world.private],
        )
    assert exc.value.field == "time_zone"
    with pytest.raises(InvalidInput) as exc:
        services.session_create(host=world.public, actor=coordinator, activity=boundary, title="x", starts_at=future())
    assert exc.value.field == "invited_communities"


def test_state_machine_refuses_other_moves(world, boundary):
    coordinator = world.users["coordinator"]
    engagement = services.session_create(
        host=world.public,
        actor=coordinator,
        activity=ActivityType.objects.get(slug="open-discussion"),
        title="Nobody yet",
        starts_at=future(),
    )
    with pytest.raises(Conflict, match="Invite someone"):
        services.session_transition(session=engagement, actor=coordinator, to="invitations_sent")
    with pytest.raises(Conflict, match="cannot become held"):
        services.session_transition(session=engagement, actor=coordinator, to="held")
    services.invitation_add(session=engagement, actor=coordinator, community=world.private)
    for state in ("invitations_sent", "in_progress", "held", "closed"):
        engagement = services.session_transition(session=engagement, actor=coordinator, to=state)
    assert engagement.state == "closed"
    with pytest.raises(Conflict):
        services.session_transition(session=engagement, actor=coordinator, to="cancelled")


def test_update_time_in_past_keeps_everything(world, sent):
    with pytest.raises(InvalidInput, match="past"):
        services.session_update(
            session=sent, actor=world.users["coordinator"], starts_at=datetime(2020, 1, 1, 10, 0), place="Room 4"
        )
    sent.refresh_from_db()
    assert sent.place == "" and sent.starts_at > timezone.now()
