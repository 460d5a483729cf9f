"""`convene digest --daily|--weekly` against a real SMTP server: one mail per person grouped by
community, only for the people who chose that rhythm, only unmailed notifications, idempotent."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from convene.notifications import mail, services
from convene.notifications.models import Notification
from convene.notifications.selectors import preferences_for
from tests.factories import CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _say(user, kind, text, community=None):
    services.notify(recipients=[user], kind=kind, text=text, url="/communities/", community=community)


def test_the_daily_digest_groups_by_community_and_runs_once(smtp_server):
    alpha, beta = CommunityFactory(name="Alpha ward"), CommunityFactory(name="Beta clinic")
    daily, weekly, at_once = UserFactory(email="d@example.org"), UserFactory(), UserFactory()
    services.preferences_set(user=weekly, choices={"community.message": "weekly", "response.phase": "weekly"})
    services.preferences_set(user=at_once, choices={"community.message": "immediate"})
    services.preferences_set(user=daily, choices={"action.assigned": "daily"})
    _say(daily, "community.message", "Alpha news", alpha)  # daily by default
    _say(daily, "response.phase", "Beta moved to drafting", beta)  # daily by default
    _say(daily, "action.assigned", "An action for you", alpha)  # daily by choice
    _say(daily, "action.due", "Due tomorrow", alpha)  # immediate by default: mailed already
    _say(weekly, "community.message", "Alpha news", alpha)
    _say(at_once, "community.message", "Alpha news", alpha)
    assert len(smtp_server.messages) == 2  # the two immediate ones
    smtp_server.messages.clear()

    out = StringIO()
    call_command("digest", "--daily", stdout=out)
    assert "1 people, 3 notifications" in out.getvalue()
    [digest] = smtp_server.messages
    assert digest["To"] == "d@example.org"
    assert digest["Subject"].strip() == "[Convene] Your daily digest: 3 notifications"
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = digest.get_body(("plain",)).get_content()
    html = digest.get_body(("html",)).get_content()
    for part in (text, html):
        assert part.index("Alpha ward") < part.index("Alpha news") < part.index("An action for you")
        assert part.index("Beta clinic") < part.index("Beta moved to drafting")
        assert "Due tomorrow" not in part
    call_command("digest", "--daily", stdout=StringIO())
    assert len(smtp_server.messages) == 1  # idempotent: nothing twice

    call_command("digest", "--weekly", stdout=StringIO())
    [_, weekly_digest] = smtp_server.messages
    assert weekly_digest["To"] == weekly.email
    assert not Notification.objects.filter(mailed_at__isnull=True).exists()


def test_the_digest_unsubscribe_link_turns_off_every_kind_of_that_digest(client, smtp_server):
    user = UserFactory()
    _say(user, "community.message", "News")
    call_command("digest", "--daily", stdout=StringIO())
    [digest] = smtp_server.messages
    link = digest["List-Unsubscribe"].strip().strip("<>")
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    page = client.get(path)
    assert "Stop e-mail for the daily digest?" in page.content.decode()
    assert client.post(path).status_code == 200
    chosen = {row.kind: row.delivery for row in preferences_for(user)}
    assert chosen["community.message"] == chosen["response.phase"] == "never"
    assert chosen["team.published"] == "immediate"  # other kinds keep theirs


def test_digest_needs_a_rhythm():
    with pytest.raises(CommandError):
        call_command("digest", stdout=StringIO())


def test_a_digest_looks_back_thirty_days_at_most(smtp_server):
    user = UserFactory()
    _say(user, "community.message", "Old news")
    _say(user, "community.message", "Fresh news")
    Notification.objects.filter(text="Old news").update(created_at=timezone.now() - timedelta(days=31))
    call_command("digest", "--daily", stdout=StringIO())
    [digest] = smtp_server.messages
    text = digest.get_body(("plain",)).get_content()
    assert "Fresh news" in text and "Old news" not in text


def test_a_digest_sends_one_smtp_connection_per_batch_and_marks_each_batch(smtp_server, monkeypatch):
    """One SMTP session per batch of people (not one per mail); every batch is marked mailed."""
    monkeypatch.setattr(mail, "BATCH", 7)
    community = CommunityFactory(name="Alpha ward")
    people = [UserFactory() for _ in range(30)]
    for person in people:
        _say(person, "community.message", "Alpha news", community)
    smtp_server.connections = 0
    run = mail.digest_run("daily")
    assert (run.people, run.notifications, run.failed) == (30, 30, 0)
    assert smtp_server.connections == 5  # 30 people in batches of 7
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(p.email for p in people)
    assert not Notification.objects.filter(mailed_at__isnull=True).exists()


def test_a_digest_with_the_server_down_records_the_failure_and_marks_nothing_mailed(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 5  # nothing listens
    community = CommunityFactory()
    people = [UserFactory() for _ in range(3)]
    for person in people:
        _say(person, "community.message", "Alpha news", community)
    run = mail.digest_run("daily")
    assert (run.people, run.failed) == (0, 3)
    pending = Notification.objects.filter(kind="community.message")
    assert pending.filter(mailed_at__isnull=True).count() == 3
    assert all(n.mail_failed.startswith("retry: ") for n in pending)
