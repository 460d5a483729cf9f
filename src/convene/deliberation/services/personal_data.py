"""Deliberation's part of a person leaving (core.hooks `personal_data_erase`).

Statements, votes, endorsements and draft versions stay (the response's figures and history must
still add up); the person's participant rows keep pointing at the emptied account, shown as "A
former member" where responses name people at all. Only the reminder bookkeeping goes.
"""

from __future__ import annotations

from ..models import ReminderSent


def personal_data_erase(user) -> None:
    ReminderSent.objects.filter(user=user).delete()
