"""services/follow_ups.py: outcomes and follow-ups on home until done."""

import pytest
from django.utils import timezone

from convene.convening import services
from convene.convening.selectors import (
    home_items,
)
from convene.core.errors import Conflict, InvalidInput

pytestmark = pytest.mark.django_db


def test_outcomes_and_follow_ups_on_home_until_done(world, sent):
    coordinator, member = world.users["coordinator"], world.users["member"]
    with pytest.raises(Conflict):
        services.outcome_add(session=sent, actor=coordinator, text="Too early")
    sent = services.session_transition(session=sent, actor=coordinator, to="in_progress")
    services.outcome_add(session=sent, actor=coordinator, text="A shared referral checklist")
    action = services.follow_up_create(
        session=sent, actor=coordinator, title="Draft the checklist", owner=member, due=timezone.now().date()
    )
    assert [i.kind for i in home_items(member) if i.kind == "Follow-up"] == ["Follow-up"]
    with pytest.raises(InvalidInput) as exc:
        services.follow_up_create(session=sent, actor=coordinator, title="x", owner=world.users["outsider"])
    assert exc.value.field == "owner"
    services.follow_up_update(action=action, actor=member, status="done")
    assert [i for i in home_items(member) if i.kind == "Follow-up"] == []
