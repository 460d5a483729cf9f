"""services/roles.py (with queue.py and record.py): roles record opportunities, turns and notes record contributions."""

import pytest

from convene.communities.models import Contribution, OpportunityEntry
from convene.convening import services
from convene.convening.selectors import (
    queue_state,
)
from convene.core.errors import Conflict, InvalidInput

pytestmark = pytest.mark.django_db


def test_roles_record_opportunities_and_turns_record_contributions(world, sent):
    coordinator, member = world.users["coordinator"], world.users["member"]
    services.role_assign(session=sent, actor=coordinator, user=member, kind="facilitator")
    entry = OpportunityEntry.objects.get(user=member, kind="facilitator")
    assert entry.source == f"session:{sent.pk}" and entry.community == world.public
    with pytest.raises(InvalidInput):
        services.role_assign(session=sent, actor=coordinator, user=world.users["outsider"], kind="speaker")
    services.role_remove(session=sent, actor=coordinator, user=member, kind="facilitator")
    assert not OpportunityEntry.objects.filter(user=member).exists()
    with pytest.raises(Conflict):
        services.turn_give(session=sent, actor=coordinator, user=member)
    sent = services.session_transition(session=sent, actor=coordinator, to="in_progress")
    services.rsvp_set(session=sent, user=member, answer="yes")
    services.rsvp_set(session=sent, user=coordinator, answer="yes")
    services.hand_set(session=sent, user=coordinator, raised=True)
    state = queue_state(sent)
    assert state["hands"][0]["user"] == coordinator
    services.turn_give(session=sent, actor=coordinator, user=coordinator)
    services.turn_give(session=sent, actor=coordinator, user=coordinator)
    turn = Contribution.objects.filter(kind="turn", context=f"session:{sent.pk}")
    assert turn.count() == 2
    state = queue_state(sent)
    assert [p["user"] for p in state["not_spoken"]] == [member]
    assert state["hands"] == []
    shares = {s["community"]: s["share"] for s in state["shares"]}
    assert shares == {"Public Practice": 1.0, "Private Practice": 0.0} or sum(shares.values()) == 1.0
    services.note_add(session=sent, author=member, text="We agreed on a checklist.")
    assert Contribution.objects.filter(kind="note", user=member).count() == 1
