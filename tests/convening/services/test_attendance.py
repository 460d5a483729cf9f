"""services/attendance.py: self check-in and walk-ins."""

import pytest

from convene.convening import services
from convene.core.errors import Conflict, InvalidInput

pytestmark = pytest.mark.django_db


def test_attendance_self_check_in_and_walk_in(world, sent):
    coordinator = world.users["coordinator"]
    with pytest.raises(Conflict):
        services.attendance_self(session=sent, user=world.users["member"], code=sent.code)
    sent = services.session_transition(session=sent, actor=coordinator, to="in_progress")
    with pytest.raises(InvalidInput) as exc:
        services.attendance_self(session=sent, user=world.users["member"], code="WRONG1")
    assert exc.value.field == "code"
    assert services.attendance_self(session=sent, user=world.users["member"], code=sent.code.lower()).checked_in_at
    walk_in = services.attendance_mark(session=sent, actor=coordinator, user=world.users["outsider"])
    assert walk_in.checked_in_at and walk_in.rsvp == "yes"
