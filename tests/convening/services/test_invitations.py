"""services/invitations.py: invitations, RSVPs, capacity and the waiting list."""

import pytest
from django.core import mail

from convene.convening import services
from convene.convening.models import SessionInvitation
from convene.core.errors import Conflict, InvalidInput

from ..conftest import person

pytestmark = pytest.mark.django_db


def test_invitations_by_community_role_and_person_mail_on_send(world, engagement, django_capture_on_commit_callbacks):
    coordinator = world.users["coordinator"]
    # the community ticked on the form is already invited (issue 18.1): members and coordinators, not guests
    assert {i.user.email for i in engagement.invitations.all()} == {"member@example.com", "coordinator@example.com"}
    assert services.invitation_add(session=engagement, actor=coordinator, community=world.private) == []
    guests = services.invitation_add(session=engagement, actor=coordinator, community=world.public, role="guest")
    assert [i.user.email for i in guests] == ["guest@example.com"] and guests[0].via == "role"
    with pytest.raises(InvalidInput) as refused:  # someone outside the communities taking part: by e-mail only
        services.invitation_add(session=engagement, actor=coordinator, user=world.users["outsider"])
    assert "by e-mail" in refused.value.message
    by_mail = services.invitation_email_add(session=engagement, actor=coordinator, email="Outsider@Example.com")
    assert by_mail.email == "outsider@example.com" and not engagement.invitations.filter(user=world.users["outsider"])
    assert services.invitation_email_add(session=engagement, actor=coordinator, email="outsider@example.com") is None
    assert services.invitation_add(session=engagement, actor=coordinator, community=world.private) == []
    assert len(mail.outbox) == 0  # drafts send nothing
    with django_capture_on_commit_callbacks(execute=True):
        services.session_transition(session=engagement, actor=coordinator, to="invitations_sent")
    assert len(mail.outbox) == 4
    assert sum("/rsvp/" in m.body for m in mail.outbox) == 3
    assert by_mail.token in next(m.body for m in mail.outbox if m.to == ["outsider@example.com"])
    with django_capture_on_commit_callbacks(execute=True):
        outsider = services.invitation_email_accept(invitation=by_mail, user=world.users["outsider"])
    assert outsider.community is None and outsider.rsvp == "yes" and not outsider.shares_answers
    with pytest.raises(Conflict):
        services.invitation_email_accept(invitation=by_mail, user=world.users["member"])
    newcomer = person("new@example.com", world.public)
    with django_capture_on_commit_callbacks(execute=True):
        created = services.invitation_add(session=engagement, actor=coordinator, community=world.public)
    assert [i.user for i in created] == [newcomer]  # the others were already invited
    invitations = [m for m in mail.outbox if m.subject.startswith("[Convene] Invitation")]
    assert len(invitations) == 5 and invitations[-1].to == ["new@example.com"]  # (the inviter is told otherwise)


def test_rsvp_capacity_waitlist_and_promotion(world, sent, django_capture_on_commit_callbacks):
    coordinator = world.users["coordinator"]
    sent = services.session_update(session=sent, actor=coordinator, capacity=1)
    member, guest = world.users["member"], world.users["coordinator"]
    assert services.rsvp_set(session=sent, user=member, answer="yes", needs="Step-free access").rsvp == "yes"
    assert services.rsvp_set(session=sent, user=guest, answer="yes").rsvp == "waitlist"
    with pytest.raises(InvalidInput) as exc:
        services.session_update(session=sent, actor=coordinator, capacity=0)
    assert exc.value.field == "capacity"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.rsvp_set(session=sent, user=member, answer="no")
    assert SessionInvitation.objects.get(session=sent, user=guest).rsvp == "yes"
    assert [m.to for m in mail.outbox] == [[guest.email]] and "seat" in mail.outbox[0].subject
    assert SessionInvitation.objects.get(session=sent, user=member).needs == "Step-free access"


def test_capacity_below_accepted_is_refused_and_nothing_lost(world, sent):
    coordinator = world.users["coordinator"]
    services.rsvp_set(session=sent, user=world.users["member"], answer="yes")
    services.rsvp_set(session=sent, user=coordinator, answer="yes")
    with pytest.raises(InvalidInput, match="2 people have already accepted"):
        services.session_update(session=sent, actor=coordinator, capacity=1, title="Changed")
    sent.refresh_from_db()
    assert sent.capacity == 10 and sent.title == "Referrals across the boundary"


def test_rsvp_after_close_and_uninvited(world, sent):
    coordinator = world.users["coordinator"]
    with pytest.raises(Conflict, match="not on the invitation list"):
        services.rsvp_set(session=sent, user=world.users["outsider"], answer="yes")
    for state in ("in_progress", "held", "closed"):
        sent = services.session_transition(session=sent, actor=coordinator, to=state)
    with pytest.raises(Conflict) as exc:
        services.rsvp_set(session=sent, user=world.users["member"], answer="yes")
    assert exc.value.code == "rsvp_closed"


def test_invalid_answer(world, sent):
    with pytest.raises(InvalidInput, match="yes, no or maybe"):
        services.rsvp_set(session=sent, user=world.users["member"], answer="perhaps")
