"""Convening's mail leaves the request: inviting a whole community only enqueues one task, the
worker sends the batch over one SMTP connection (a real server, aiosmtpd) with the `.ics` attached,
and a failing server leaves the invitations recorded and the mail retried."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django_tasks import default_task_backend

from convene.communities.models import Membership, Role
from convene.convening import services, tasks
from convene.convening.models import SessionInvitation
from tests.notifications import smtp

from ..factories import MembershipFactory
from .conftest import future

pytestmark = pytest.mark.django_db(transaction=True)
smtp_server = smtp.smtp_server  # the real SMTP server fixture of the notification tests

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
N = 25


def _queued(name: str) -> list:
    return [r for r in default_task_backend.results if r.task.name == name]


def _run(result) -> dict:
    """The worker's turn: run one queued task as the worker would."""
    return result.task.call(*result.args, **result.kwargs)


@pytest.fixture
def draft(world, boundary):
    for _ in range(N):
        MembershipFactory(community=world.private, role=Role.MEMBER)
    return services.session_create(
        host=world.public,
        actor=world.users["coordinator"],
        activity=boundary,
        title="Referrals across the boundary",
        starts_at=future(),
        time_zone="Europe/London",
        invited_communities=[world.private],
    )


def _invite_everyone(world, session):
    """What the coordinator's request does: invite the whole community and send the invitations."""
    coordinator = world.users["coordinator"]
    services.invitation_add(session=session, actor=coordinator, community=world.private)
    services.invitation_email_add(session=session, actor=coordinator, email="guest@example.net")
    services.session_transition(session=session, actor=coordinator, to="invitations_sent")


@override_settings(TASKS=DUMMY_TASKS)
def test_inviting_a_community_makes_no_smtp_connection_in_the_request(world, draft, smtp_server):
    default_task_backend.clear()
    _invite_everyone(world, draft)
    invited = SessionInvitation.objects.filter(session=draft).select_related("user")
    count = invited.count()
    assert count >= N
    # The request is over: the invitations are recorded, nothing reached the server.
    assert smtp_server.connections == 0 and smtp_server.messages == []
    assert not invited.filter(mailed_at__isnull=False).exists()
    queued = _queued("send_invitations")
    assert len(queued) == 1  # one task for the batch, not one per person
    assert _queued("deliver_notifications") == []  # the in-app notifications are stamped, not mailed twice

    outcome = _run(queued[0])
    assert outcome == {"sent": count + 1, "failed": 0, "retried": False}
    assert smtp_server.connections == 1  # one connection for the whole batch
    assert len(smtp_server.messages) == count + 1
    for invitation in invited:
        [message] = smtp_server.to(invitation.user.email)
        assert message["Subject"].strip() == "[Convene] Invitation: Referrals across the boundary"
        [calendar] = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
        assert "BEGIN:VCALENDAR" in calendar.get_content()
    [by_address] = smtp_server.to("guest@example.net")
    assert "To accept, open this link" in by_address.get_body(("plain",)).get_content()
    assert not invited.filter(mailed_at__isnull=True).exists()
    # A second run (a retry arriving late, a duplicate task) sends nothing twice.
    assert _run(queued[0])["sent"] == 0
    assert len(smtp_server.messages) == count + 1


@override_settings(TASKS=DUMMY_TASKS)
def test_a_failing_server_leaves_the_invitations_recorded_and_the_mail_retried(world, draft, smtp_server):
    default_task_backend.clear()
    _invite_everyone(world, draft)
    invited = SessionInvitation.objects.filter(session=draft)
    count = invited.count()
    [first] = _queued("send_invitations")
    smtp_server.fail_next = 10_000  # every message answered "451 try again later"
    outcome = _run(first)
    assert outcome["sent"] == 0 and outcome["failed"] == count + 1 and outcome["retried"] is True
    assert smtp_server.messages == []
    assert invited.count() == count and not invited.filter(mailed_at__isnull=False).exists()
    [retry] = [r for r in _queued("send_invitations") if r is not first]
    assert retry.args == [draft.pk, 2]  # the next attempt, for the same session

    smtp_server.fail_next = 0  # the server is back
    assert _run(retry)["sent"] == count + 1
    assert len(smtp_server.messages) == count + 1
    assert not invited.filter(mailed_at__isnull=True).exists()


@override_settings(TASKS=DUMMY_TASKS)
def test_a_server_that_is_down_is_retried_until_the_attempts_are_used(world, draft):
    _invite_everyone(world, draft)
    default_task_backend.clear()
    down = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": 1}
    with override_settings(**down):  # nothing listens there: connection refused
        first = tasks.send_invitations.call(draft.pk)
        last = tasks.send_invitations.call(draft.pk, 5)
    assert first["retried"] is True and first["sent"] == 0
    assert last["retried"] is False  # the fifth attempt is the last
    [queued] = _queued("send_invitations")  # only the first one asked for another attempt
    assert queued.args == [draft.pk, 2]
    assert not SessionInvitation.objects.filter(session=draft, mailed_at__isnull=False).exists()


@override_settings(TASKS=DUMMY_TASKS)
def test_cancellation_and_a_freed_seat_are_one_task_each_and_one_message_per_person(world, draft, smtp_server):
    coordinator = world.users["coordinator"]
    draft.capacity = 1
    draft.save(update_fields=["capacity"])
    _invite_everyone(world, draft)
    for result in _queued("send_invitations"):
        _run(result)
    smtp_server.messages.clear()
    first, second = [i.user for i in SessionInvitation.objects.filter(session=draft).order_by("pk")[:2]]
    services.rsvp_set(session=draft, user=first, answer="yes")
    services.rsvp_set(session=draft, user=second, answer="yes")  # full: the waitlist
    default_task_backend.clear()
    services.rsvp_set(session=draft, user=first, answer="no")  # frees the seat
    assert smtp_server.messages == []
    [seat] = _queued("send_mails")
    _run(seat)
    [message] = smtp_server.messages
    assert message["To"] == second.email and "A seat is yours" in message["Subject"]

    smtp_server.messages.clear()
    default_task_backend.clear()
    services.session_transition(session=draft, actor=coordinator, to="cancelled")
    assert smtp_server.messages == []
    [cancelled] = _queued("send_mails")
    _run(cancelled)
    assert smtp_server.connections >= 1
    assert len(smtp_server.messages) >= 2
    assert all("," not in m["To"] for m in smtp_server.messages)  # nobody sees the others' addresses
    subjects = {m["Subject"].strip() for m in smtp_server.messages}
    assert subjects == {"[Convene] Cancelled: Referrals across the boundary"}


@override_settings(TASKS=DUMMY_TASKS)
def test_each_person_reads_convening_mail_in_their_own_language(world, draft, smtp_server):
    """The coordinator works in English; a member who chose Chinese gets the invitation and the
    cancellation in Chinese, everyone else in English (the worker and the request write per person)."""
    reader = Membership.objects.filter(community=world.private, role=Role.MEMBER).order_by("pk").first().user
    reader.profile.language = "zh-hans"
    reader.profile.save(update_fields=["language"])
    _invite_everyone(world, draft)
    for result in _queued("send_invitations"):
        _run(result)
    mine = [m for m in smtp_server.messages if m["To"] == reader.email]
    others = [m for m in smtp_server.messages if m["To"] != reader.email]
    assert len(mine) == 1 and "邀请：Referrals across the boundary" in str(mine[0]["Subject"])
    assert others and all("Invitation: Referrals" in str(m["Subject"]) for m in others)

    smtp_server.messages.clear()
    default_task_backend.clear()
    services.session_transition(session=draft, actor=world.users["coordinator"], to="cancelled")
    for result in _queued("send_mails"):
        _run(result)
    subjects = {m["To"]: str(m["Subject"]) for m in smtp_server.messages}
    assert "已取消：Referrals across the boundary" in subjects[reader.email]
    assert {s for to, s in subjects.items() if to != reader.email} == {
        "[Convene] Cancelled: Referrals across the boundary"
    }
