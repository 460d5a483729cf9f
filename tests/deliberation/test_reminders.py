"""reminders.py: phase reminders to those not yet heard."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from convene.deliberation import services
from convene.deliberation.reminders import send_due_reminders


def test_reminders_are_sent_once_to_those_not_heard(boundary, settings):
    b = boundary
    settings.CONVENE_PHASE_REMINDER_HOURS = 48
    response = b.open_response()
    s = b.statement(response, "One statement.")
    services.vote_cast(response=response, user=b.members[0], statement_id=s.pk, value=1)
    mail.outbox.clear()
    assert send_due_reminders(timezone.now()) == 0  # gathering ends in 7 days
    later = response.gathering_ends - timedelta(hours=10)
    sent = send_due_reminders(later)
    # coordinator wrote a statement, member 0 voted: the other 9 members are reminded
    assert sent == 9
    assert not any(b.members[0].email in m.to for m in mail.outbox)
    assert send_due_reminders(later) == 0
