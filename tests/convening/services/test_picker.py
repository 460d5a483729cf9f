"""services/picker.py: proposing, rating and picking candidates."""

import pytest

from convene.convening import services
from convene.convening.models import ActivityType, SessionInvitation
from convene.convening.selectors import (
    picker_ranking,
)
from convene.core.errors import Conflict, InvalidInput

from ..conftest import future

pytestmark = pytest.mark.django_db


def test_picker_ranks_by_least_served_community(world, sent):
    coordinator, member = world.users["coordinator"], world.users["member"]  # coordinator: pub; member: pub
    other = SessionInvitation.objects.get(session=sent, user=member)
    other.community = world.private
    other.save()
    a = services.candidate_propose(session=sent, user=member, title="Referral checklist")
    b = services.candidate_propose(session=sent, user=coordinator, title="Joint ward round")
    with pytest.raises(Conflict):
        services.candidate_propose(session=sent, user=member, title="referral CHECKLIST")
    services.rating_set(candidate=a, user=coordinator, usefulness=4, commitment="light")
    services.rating_set(candidate=a, user=member, usefulness=3, commitment="light")
    services.rating_set(candidate=b, user=coordinator, usefulness=5, commitment="heavy")
    services.rating_set(candidate=b, user=member, usefulness=2, commitment="medium")
    services.rating_set(candidate=b, user=member, usefulness=1, commitment="medium")  # changing a rating
    with pytest.raises(InvalidInput):
        services.rating_set(candidate=a, user=member, usefulness=6, commitment="light")
    ranking = picker_ranking(sent)
    assert [r["candidate"] for r in ranking] == [a, b]
    assert ranking[0]["min_community_usefulness"] == 3 and ranking[1]["weakest_community"] == "Private Practice"
    services.candidate_pick(session=sent, actor=coordinator, candidate=a)
    sent.refresh_from_db()
    assert sent.picked_candidate == a


def test_picker_only_for_boundary_engagements(world):
    session = services.session_create(
        host=world.public,
        actor=world.users["coordinator"],
        activity=ActivityType.objects.get(slug="open-discussion"),
        title="Chat",
        starts_at=future(),
    )
    with pytest.raises(Conflict, match="boundary"):
        services.candidate_propose(session=session, user=world.users["coordinator"], title="x")
