"""Every convening event that concerns someone leaves them a notification (issue 19.2)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from convene.convening import services
from convene.convening.models import SentReminder
from convene.convening.reminders import reminder_hours, send_due_reminders
from convene.core.errors import Conflict, InvalidInput
from convene.notifications.models import Notification

from ..conftest import person


def rows(kind, **filters):
    return Notification.objects.filter(kind=kind, **filters).select_related("recipient")


def recipients(kind, **filters):
    return sorted(n.recipient.email for n in rows(kind, **filters))


@pytest.fixture
def out(world, engagement, django_capture_on_commit_callbacks):
    """The engagement with both communities invited and the invitations mailed (on commit)."""
    coordinator = world.users["coordinator"]
    services.invitation_add(session=engagement, actor=coordinator, community=world.public)
    with django_capture_on_commit_callbacks(execute=True):
        return services.session_transition(session=engagement, actor=coordinator, to="invitations_sent")


def test_sending_invitations_notifies_each_invited_person_but_not_the_sender(world, out):
    assert recipients("session.invited") == ["member@example.com"]  # the coordinator sent them
    note = rows("session.invited").get()
    assert "Public Practice invites you to “Referrals across the boundary”" in note.text
    assert note.url == reverse("convening:rsvp", args=[out.pk]) and note.obj == out
    assert note.mailed_at is not None  # the invitation mail itself went out: not mailed twice
    assert note.community == world.public


def test_inviting_later_notifies_only_the_newcomer(world, out, django_capture_on_commit_callbacks):
    newcomer = person("new@example.com", world.public, name="Nia Newcomer")
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_add(session=out, actor=world.users["coordinator"], community=world.public)
    assert recipients("session.invited") == ["member@example.com", "new@example.com"]
    assert rows("session.invited", recipient=newcomer).count() == 1


def test_drafts_notify_nobody(world, engagement):
    services.invitation_add(session=engagement, actor=world.users["coordinator"], community=world.public)
    services.session_update(session=engagement, actor=world.users["coordinator"], place="Room 9")
    assert not Notification.objects.exists()


def test_waitlist_promotion_notifies_the_person_who_gets_the_seat(world, out, django_capture_on_commit_callbacks):
    coordinator, member = world.users["coordinator"], world.users["member"]
    out = services.session_update(session=out, actor=coordinator, capacity=1)
    services.rsvp_set(session=out, user=coordinator, answer="yes")
    assert services.rsvp_set(session=out, user=member, answer="yes").rsvp == "waitlist"
    services.rsvp_set(session=out, user=coordinator, answer="no")
    note = rows("session.waitlist").get()
    assert note.recipient == member and "now yours" in note.text and "“Referrals across the boundary”" in note.text
    assert note.mailed_at is not None  # the seat mail carries the same news


def test_change_of_time_or_place_notifies_those_who_have_not_said_no(world, out, django_capture_on_commit_callbacks):
    coordinator, member = world.users["coordinator"], world.users["member"]
    other = person("other@example.com", world.public, name="Otto Other")
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_add(session=out, actor=coordinator, user=other)
    services.rsvp_set(session=out, user=other, answer="no")
    services.session_update(
        session=out,
        actor=coordinator,
        place="Room 4",
        starts_at=out.local_start.replace(tzinfo=None) + timedelta(days=1),
        time_zone=out.time_zone,
    )
    note = rows("session.changed").get()
    assert note.recipient == member
    assert "“Referrals across the boundary” has changed" in note.text and "the place is now Room 4" in note.text
    assert "now starts on" in note.text and note.mailed_at is None  # the mail delivery sends it
    services.session_update(session=out, actor=coordinator, purpose="A clearer purpose")
    assert rows("session.changed").count() == 1  # a purpose is not news about time or place


def test_cancellation_notifies_the_invited(world, out):
    services.session_transition(session=out, actor=world.users["coordinator"], to="cancelled")
    note = rows("session.cancelled").get()
    assert note.recipient == world.users["member"] and "is cancelled" in note.text and note.mailed_at is not None


def test_accepted_email_invitation_notifies_the_coordinator_who_sent_it(world, out, django_capture_on_commit_callbacks):
    link = services.invitation_email_add(session=out, actor=world.users["coordinator"], email="outsider@example.com")
    services.invitation_email_accept(invitation=link, user=world.users["outsider"])
    note = rows("invitation.accepted").get()
    assert note.recipient == world.users["coordinator"]
    assert note.text == "Olive Outsider accepted your e-mail invitation to “Referrals across the boundary”."
    assert note.url == reverse("convening:invitations", args=[out.pk])


def test_follow_up_assigned_and_reassigned_notifies_the_owner(world, out):
    coordinator, member = world.users["coordinator"], world.users["member"]
    out = services.session_transition(session=out, actor=coordinator, to="in_progress")
    action = services.follow_up_create(session=out, actor=coordinator, title="Share the referral map", owner=member)
    note = rows("action.assigned").get()
    assert note.recipient == member and "Cora Coordinator gave you a follow-up action" in note.text
    assert "Share the referral map" in note.text and note.url == reverse("convening:record", args=[out.pk])
    services.follow_up_create(session=out, actor=coordinator, title="My own task", owner=coordinator)
    assert rows("action.assigned").count() == 1  # nobody is told about what they gave themselves
    services.follow_up_update(action=action, actor=member, owner=coordinator)
    assert recipients("action.assigned") == ["coordinator@example.com", "member@example.com"]


def test_follow_up_coming_due_notifies_its_owner_once(world, out):
    coordinator, member = world.users["coordinator"], world.users["member"]
    out = services.session_transition(session=out, actor=coordinator, to="in_progress")
    today = timezone.now().date()
    services.follow_up_create(session=out, actor=coordinator, title="Due soon", owner=member, due=today)
    later = services.follow_up_create(
        session=out, actor=coordinator, title="Later", owner=member, due=today + timedelta(days=9)
    )
    done = services.follow_up_create(session=out, actor=coordinator, title="Done", owner=member, due=today)
    services.follow_up_update(action=done, actor=member, status="done")
    send_due_reminders(timezone.now())
    send_due_reminders(timezone.now())
    note = rows("action.due").get()
    assert note.recipient == member and note.text.endswith("is due today: Due soon.")
    assert not rows("action.due", object_id=later.pk).exists()


def test_reminder_before_a_session_notifies_and_mails_the_ics(world, out, settings):
    assert reminder_hours() == 24  # the default
    settings.CONVENE_SESSION_REMINDER_HOURS = 24 * 8  # the engagement starts in 7 days
    mail.outbox.clear()
    services.rsvp_set(session=out, user=world.users["coordinator"], answer="no")
    assert send_due_reminders(timezone.now()) == 1
    assert send_due_reminders(timezone.now()) == 0
    note = rows("session.reminder").get()
    assert note.recipient == world.users["member"] and "is coming up on" in note.text and note.mailed_at
    [message] = mail.outbox
    assert message.to == ["member@example.com"] and message.subject.startswith("[Convene] Reminder")
    [(name, content, mimetype)] = message.attachments
    assert name.endswith(".ics") and mimetype == "text/calendar"
    assert "BEGIN:VEVENT" in content and "Referrals across the boundary" in content
    assert SentReminder.objects.filter(kind="before").count() == 1


def test_no_reminder_outside_the_default_window(world, out):
    assert send_due_reminders(timezone.now()) == 0  # starts in 7 days, default 24 h
    assert not rows("session.reminder").exists()


def test_coordinators_write_to_a_sessions_people(world, out):
    coordinator, member = world.users["coordinator"], world.users["member"]
    waiting = person("wait@example.com", world.public, name="Walt Waiting")
    services.invitation_add(session=out, actor=coordinator, user=waiting)
    out = services.session_update(session=out, actor=coordinator, capacity=1)
    services.rsvp_set(session=out, user=member, answer="yes")
    services.rsvp_set(session=out, user=waiting, answer="yes")
    assert services.session_message_send(session=out, actor=coordinator, audience="invited", text="Bring notes.") == 2
    assert services.session_message_send(session=out, actor=coordinator, audience="attending", text="Room 2.") == 1
    assert services.session_message_send(session=out, actor=coordinator, audience="waitlisted", text="Soon.") == 1
    assert recipients("session.message") == [
        "member@example.com",
        "member@example.com",
        "wait@example.com",
        "wait@example.com",
    ]
    note = rows("session.message", recipient=waiting).first()
    assert (
        note.text
        == "Cora Coordinator wrote to the people on the waiting list of “Referrals across the boundary”: Soon."
    )
    assert all("@" not in n.text for n in rows("session.message"))  # nobody's address
    entries = out.host.audit_entries.filter(action="message_sent")
    assert sorted(e.detail["audience"] for e in entries) == ["attending", "invited", "waitlisted"]
    assert all("Soon" not in str(e.detail) for e in entries)  # the log records who was written to, not what


def test_session_message_refuses_drafts_unknown_audiences_and_empty_text(world, engagement, boundary):
    coordinator = world.users["coordinator"]
    with pytest.raises(Conflict, match="Send the invitations first"):
        services.session_message_send(session=engagement, actor=coordinator, audience="invited", text="Hello")
    engagement = services.session_transition(session=engagement, actor=coordinator, to="invitations_sent")
    with pytest.raises(InvalidInput) as unknown:
        services.session_message_send(session=engagement, actor=coordinator, audience="everyone", text="Hello")
    assert unknown.value.field == "audience"
    with pytest.raises(InvalidInput, match="The message is required"):
        services.session_message_send(session=engagement, actor=coordinator, audience="invited", text="  ")
    with pytest.raises(InvalidInput, match="longer than 400"):
        services.session_message_send(session=engagement, actor=coordinator, audience="invited", text="x" * 401)
    assert not rows("session.message").exists()


def test_session_message_page_and_api(world, out, api):
    url = reverse("convening:message", args=[out.pk])
    page = world.client("coordinator").get(url)
    assert page.status_code == 200 and "Write a message" in page.content.decode()
    sent = world.client("coordinator").post(url, {"audience": "invited", "text": "Parking is free."}, follow=True)
    assert "Message sent to 1 person." in sent.content.decode()
    answer = api("coordinator").post(f"/convening/sessions/{out.pk}/messages", {"audience": "nobody", "text": "Hi"})
    assert answer.status_code == 422
    answer = api("coordinator").post(f"/convening/sessions/{out.pk}/messages", {"text": "Hi again"})
    assert answer.status_code == 201 and answer.json() == {"sent": 1, "text": "Hi again"}
    assert [n.text.rsplit(": ", 1)[-1] for n in rows("session.message")] == ["Hi again", "Parking is free."]
