"""Communities' events that concern someone leave them a notification, and coordinators write to
the whole community (issue 19.2 and 19.4)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from convene.communities import services
from convene.communities.models import AuditEntry, Role
from convene.core.errors import InvalidInput
from convene.notifications.models import Notification

from ..factories import MembershipFactory, UserFactory


def rows(kind):
    return Notification.objects.filter(kind=kind).select_related("recipient")


def test_join_request_notifies_the_coordinators_once(world):
    second = UserFactory(email="second@example.com", name="Sam Second")
    MembershipFactory(community=world.public, user=second, role=Role.COORDINATOR)
    services.membership_join_request(community=world.public, user=world.users["outsider"], message="Hello")
    services.membership_join_request(community=world.public, user=world.users["outsider"])  # asking twice
    notes = rows("membership.requested")
    assert sorted(n.recipient.email for n in notes) == ["coordinator@example.com", "second@example.com"]
    assert {n.text for n in notes} == {"Olive Outsider asks to join Public Practice."}
    assert {n.url for n in notes} == {reverse("communities:requests", args=["pub"])}


@pytest.mark.parametrize("approve, words", [(True, "was approved"), (False, "was declined")])
def test_join_decision_notifies_the_person_who_asked(world, approve, words):
    join = services.membership_join_request(community=world.public, user=world.users["outsider"])
    services.join_request_decide(join_request=join, actor=world.users["coordinator"], approve=approve)
    note = rows("membership.decided").get()
    assert note.recipient == world.users["outsider"] and f"Your request to join Public Practice {words}" in note.text


def test_accepted_invitation_notifies_the_coordinator_who_sent_it(world):
    invitation = services.invitation_create(
        community=world.public, actor=world.users["coordinator"], email="newcomer@example.com"
    )
    newcomer = UserFactory(email="newcomer@example.com", name="Nell Newcomer")
    services.invitation_accept(invitation=invitation, user=newcomer)
    services.invitation_accept(invitation=invitation, user=newcomer)  # opening the link again
    note = rows("invitation.accepted").get()
    assert note.recipient == world.users["coordinator"]
    assert note.text == "Nell Newcomer accepted your invitation and joined Public Practice as member."
    assert "newcomer@example.com" not in note.text


def test_coordinator_writes_to_every_member_without_exposing_addresses(world, api):
    coordinator = world.users["coordinator"]
    reached = services.community_message_send(community=world.private, actor=coordinator, text="New room from May.")
    assert reached == 2  # the guest and the member; not the sender
    notes = rows("community.message")
    assert sorted(n.recipient.email for n in notes) == ["guest@example.com", "member@example.com"]
    assert {n.text for n in notes} == {"Cora Coordinator wrote to everyone in Private Practice: New room from May."}
    assert all("@" not in n.text for n in notes)
    entry = AuditEntry.objects.get(action="message_sent")
    assert entry.community == world.private and entry.detail == {"audience": "everyone", "recipients": 2}
    with pytest.raises(InvalidInput):
        services.community_message_send(community=world.private, actor=coordinator, text="")
    answer = api("coordinator").post("/communities/priv/messages", {"text": "Second note."})
    assert answer.status_code == 201 and answer.json() == {"sent": 2, "text": "Second note."}
    assert api("member").post("/communities/priv/messages", {"text": "Me too"}).status_code == 403
    page = world.client("coordinator").post(
        reverse("communities:message", args=["priv"]), {"audience": "everyone", "text": "Third."}, follow=True
    )
    assert "Message sent to 2 people." in page.content.decode()
    assert rows("community.message").count() == 6
