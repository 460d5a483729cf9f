"""Mail of notifications against a real SMTP server (aiosmtpd on 127.0.0.1): both parts from one
layout, RFC 8058 headers, preferences, bounces, retries, and one background task per batch."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django_tasks import default_task_backend

from convene.notifications import mail, services, tasks
from convene.notifications.models import Notification, Preference
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _notify(users, kind="team.published", **extra):
    return services.notify(
        recipients=users, kind=kind, text="Your team “Triage bot” was published", url="/projects/", **extra
    )


def test_an_immediate_notification_is_one_message_with_both_parts_and_one_click_unsubscribe(smtp_server):
    community = CommunityFactory(name="Ignite")
    user = UserFactory(email="ana@example.org")
    [made] = _notify([user], community=community)
    [message] = smtp_server.to("ana@example.org")
    assert message["Subject"].strip() == "[Convene] Your team “Triage bot” was published"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message["List-Unsubscribe"].strip().strip("<>")
    assert link.startswith("http") and "/notifications/unsubscribe/" in link
    assert message["Auto-Submitted"] == "auto-generated"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for part in (text, html):
        assert "Your team “Triage bot” was published" in part
        assert "/projects/" in part and "Ignite" in part
        assert "/me/notifications/" in part  # the preferences link of the shared layout
    assert "<table" in html and "<table" not in text
    made.refresh_from_db()
    assert made.mailed_at is not None and made.mail_failed == ""
    # The link in the header unsubscribes with a bare POST, as mail programs send it (no session).
    path = link.split("://", 1)[1].split("/", 1)[1]
    answer = Client(enforce_csrf_checks=True).post("/" + path, {"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    assert Preference.objects.get(user=user, kind="team.published").delivery == "never"
    _notify([user])
    assert len(smtp_server.to("ana@example.org")) == 1  # nothing more


def test_digest_kinds_and_never_wait_and_urgent_kinds_go_out_at_once(smtp_server):
    digest_person, never_person, urgent_person = UserFactory(), UserFactory(), UserFactory()
    services.preferences_set(user=never_person, choices={"action.assigned": "never"})
    services.preferences_set(user=urgent_person, choices={"team.published": "weekly"})
    _notify([digest_person], kind="community.message")  # a daily-digest kind by default
    _notify([never_person], kind="action.assigned")
    _notify([urgent_person], kind="team.published")  # urgent: at once despite the weekly choice
    assert [m["To"] for m in smtp_server.messages] == [urgent_person.email]
    assert Notification.objects.filter(mailed_at__isnull=True).count() == 2


def test_a_refused_address_is_a_bounce_recorded_and_not_retried(smtp_server):
    good, gone = UserFactory(email="good@example.org"), UserFactory(email="gone@example.org")
    smtp_server.refuse.add("gone@example.org")
    _notify([good, gone])
    assert [m["To"] for m in smtp_server.messages] == ["good@example.org"]
    bounced = Notification.objects.get(recipient=gone)
    assert bounced.mailed_at is None and bounced.mail_failed.startswith("bounce: SMTPRecipientsRefused")
    assert Notification.objects.get(recipient=good).mailed_at is not None


def test_a_passing_failure_is_retried_and_then_recorded_when_it_persists(smtp_server):
    user = UserFactory(email="later@example.org")
    smtp_server.fail_next = 1
    [made] = _notify([user])  # immediate backend: the retry runs at once (in production: after a backoff)
    made.refresh_from_db()
    assert made.mailed_at is not None and made.mail_failed == ""
    assert len(smtp_server.to("later@example.org")) == 1
    smtp_server.fail_next = tasks.MAX_ATTEMPTS
    [again] = _notify([user])
    again.refresh_from_db()
    assert again.mailed_at is None and again.mail_failed.startswith("retry: SMTPDataError")
    assert len(smtp_server.to("later@example.org")) == 1


def test_a_dead_server_is_recorded_as_a_failure_not_an_error(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", 9, False
    [made] = _notify([UserFactory()])
    made.refresh_from_db()
    assert made.mailed_at is None and made.mail_failed.startswith("retry: ")


def test_the_retry_waits_with_backoff_on_a_real_queue():
    assert [tasks.backoff(n).total_seconds() for n in (1, 2, 3)] == [60, 240, 960]


@override_settings(TASKS=DUMMY_TASKS)
def test_notifying_a_whole_community_enqueues_one_task_and_sends_nothing_in_the_request(smtp_server):
    """What inviting a whole community does in the coordinator's request: rows and one task, no SMTP."""
    community = CommunityFactory()
    people = [MembershipFactory(community=community).user for _ in range(60)]
    default_task_backend.clear()
    with transaction.atomic():  # the request's transaction
        made = services.notify(
            recipients=people, kind="session.invited", text="You are invited", url="/", community=community
        )
        assert default_task_backend.results == []  # nothing before the commit
    assert len(made) == 60
    assert smtp_server.messages == [] and smtp_server.connections == 0
    [queued] = default_task_backend.results  # one task for the batch, not one per person
    assert queued.task.name == "deliver_notifications"
    assert sorted(queued.args[0]) == sorted(n.pk for n in made)
    # The worker's turn: one connection for the whole batch.
    queued.task.call(*queued.args, **queued.kwargs)
    assert len(smtp_server.messages) == 60 and smtp_server.connections == 1
    assert not Notification.objects.filter(mailed_at__isnull=True).exists()


def test_unsubscribe_tokens_are_signed_per_person_and_kind():
    token = mail.unsubscribe_token(7, "team.published")
    assert mail.unsubscribe_target(token) == (7, "team.published")
    assert mail.unsubscribe_target(token[:-2] + "xx") is None
    assert mail.unsubscribe_target(mail.unsubscribe_token(7, "no.such.kind")) is None
    assert mail.unsubscribe_target(mail.unsubscribe_token(7, "digest:daily")) == (7, "digest:daily")
