"""selectors/hooks.py: what convening adds to home, calendars, contexts and personal data."""

import pytest

from convene.convening import services
from convene.convening.selectors import (
    context_info,
    home_items,
    personal_data,
    upcoming,
)

pytestmark = pytest.mark.django_db


def test_home_invitation_and_upcoming(world, sent):
    member = world.users["member"]
    assert any(i.kind == "Invitation" for i in home_items(member))
    services.rsvp_set(session=sent, user=member, answer="maybe")
    assert not any(i.kind == "Invitation" for i in home_items(member))
    assert [i.title for i in upcoming(member)] == ["Referrals across the boundary"]


def test_context_info_ignores_other_contexts():
    assert context_info("response:1") is None and context_info("session:999999") is None


def test_personal_data_includes_own_needs(world, sent):
    services.rsvp_set(session=sent, user=world.users["member"], answer="yes", needs="Hearing loop")
    data = personal_data(world.users["member"])["convening"]
    assert data["invitations"][0]["access_and_care_needs"] == "Hearing loop"
