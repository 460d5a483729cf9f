"""Plain mail that is not one person's notification (a community invitation) leaves the request as
outbox items: one task, sent by the worker over one connection to a real SMTP server, retried."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django_tasks import default_task_backend

from convene.communities import services as communities
from convene.communities.models import Role
from convene.notifications import outbox, tasks
from tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@override_settings(TASKS=DUMMY_TASKS)
def test_a_community_invitation_is_mailed_by_the_worker_not_the_request(smtp_server):
    community = CommunityFactory(name="Ignite")
    coordinator = MembershipFactory(community=community, role=Role.COORDINATOR).user
    default_task_backend.clear()
    communities.invitation_create(community=community, actor=coordinator, email="new@example.org")
    assert smtp_server.connections == 0 and smtp_server.messages == []
    [queued] = default_task_backend.results
    assert queued.task.name == "send_mails"
    assert queued.task.call(*queued.args) == {"sent": 1, "bounced": 0, "failed": 0, "retried": False}
    [message] = smtp_server.to("new@example.org")
    assert message["Subject"].strip() == "[Convene] Invitation to Ignite"
    assert "Accept here (valid until" in message.get_content()


@override_settings(TASKS=DUMMY_TASKS)
def test_outbox_items_are_retried_after_a_passing_failure_and_bounces_are_dropped(smtp_server):
    items = [outbox.item(to=f"p{n}@example.org", subject="Hello", body="Text") for n in range(3)]
    smtp_server.refuse.add("p2@example.org")
    smtp_server.fail_next = 1  # the first message meets "451 try again later"
    default_task_backend.clear()
    result = tasks.send_mails.call(items)
    assert result == {"sent": 1, "bounced": 1, "failed": 1, "retried": True}
    assert smtp_server.connections == 1
    [retry] = default_task_backend.results
    assert retry.args == [[items[0]], 2]
    assert retry.task.call(*retry.args)["sent"] == 1
    assert sorted(m["To"] for m in smtp_server.messages) == ["p0@example.org", "p1@example.org"]
