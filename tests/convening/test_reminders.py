"""reminders.py: session reminders, sent once and only when due."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from convene.convening import services
from convene.convening.models import SentReminder
from convene.convening.reminders import send_due_reminders

pytestmark = pytest.mark.django_db


def test_reminders_sent_once(world, sent, settings):
    settings.CONVENE_SESSION_REMINDER_HOURS = 24 * 8
    services.rsvp_set(session=sent, user=world.users["member"], answer="no")
    mail.outbox.clear()
    link = services.invitation_email_add(session=sent, actor=world.users["coordinator"], email="outsider@example.com")
    services.invitation_email_accept(invitation=link, user=world.users["outsider"])
    mail.outbox.clear()
    first = send_due_reminders(timezone.now())
    assert first == 2  # everyone invited except the one who said no
    assert send_due_reminders(timezone.now()) == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["coordinator@example.com", "outsider@example.com"]
    assert SentReminder.objects.count() == 2
    settings.CONVENE_SESSION_REMINDER_HOURS = 1
    assert send_due_reminders(timezone.now() - timedelta(days=30)) == 0


def test_reminder_not_due_outside_window(world, sent):
    assert send_due_reminders(timezone.now()) == 0  # starts in 7 days, default 48 h
