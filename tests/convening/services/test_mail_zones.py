"""Mail is written in the recipient's time zone; the calendar file keeps the session's."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.core import mail

from convene.convening import services
from convene.convening.ics import session_calendar
from convene.convening.models import ActivityType
from convene.convening.services.mail import invitations_send, when_text


@pytest.fixture
def session(world):
    return services.session_create(
        host=world.public,
        actor=world.users["coordinator"],
        activity=ActivityType.objects.get(slug="boundary-engagement"),
        title="Referrals across the boundary",
        starts_at=datetime(2030, 1, 15, 14, 0),  # naive: read in the session's zone
        time_zone="Europe/London",
        invited_communities=[world.private],
    )


@pytest.mark.django_db
def test_invitation_mail_in_the_recipients_zone(world, session):
    member = world.users["member"]
    member.profile.time_zone = "Asia/Singapore"
    member.profile.save()
    services.invitation_add(session=session, actor=world.users["coordinator"], user=member)
    mail.outbox.clear()
    invitations_send(session.pk)
    [message] = [m for m in mail.outbox if m.to == [member.email]]
    assert "When: Tuesday 15 January 2030, 22:00 (Asia/Singapore)" in message.body
    assert "in the session's own zone: Tuesday 15 January 2030, 14:00 (Europe/London)" in message.body


@pytest.mark.django_db
def test_when_text_without_a_different_zone_is_the_sessions(session):
    assert when_text(session) == "Tuesday 15 January 2030, 14:00 (Europe/London)"
    assert when_text(session, "Europe/London") == when_text(session)


@pytest.mark.django_db
def test_calendar_file_keeps_the_sessions_zone(session):
    calendar = session_calendar(session)
    text = calendar.decode() if isinstance(calendar, bytes) else str(calendar)
    assert "Europe/London" in text or "20300115T140000Z" in text
