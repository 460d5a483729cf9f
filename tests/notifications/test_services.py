"""notify(): one unread notification per recipient, never to the actor, the inactive, or twice."""

from __future__ import annotations

import pytest

from convene.notifications import selectors, services
from convene.notifications.models import Notification
from tests.factories import CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_notify_creates_one_unread_row_per_recipient_except_actor_and_inactive():
    community = CommunityFactory()
    actor, a, b = UserFactory(), UserFactory(), UserFactory()
    gone = UserFactory(is_active=False)
    made = services.notify(
        recipients=[actor, a, b.pk, b, gone],
        kind="session.changed",
        obj=community,
        text="  The session moved\nto Tuesday. ",
        url="/x/",
        community=community,
        actor=actor,
    )
    assert sorted(n.recipient_id for n in made) == sorted([a.pk, b.pk])
    row = Notification.objects.get(recipient=a)
    assert row.text == "The session moved\nto Tuesday." and row.unread and row.obj == community
    assert selectors.unread_count(a) == 1 and selectors.unread_count(actor) == 0


def test_unknown_kind_and_empty_text_are_programming_errors():
    u = UserFactory()
    with pytest.raises(ValueError):
        services.notify(recipients=[u], kind="no.such", text="x")
    with pytest.raises(ValueError):
        services.notify(recipients=[u], kind="session.changed", text="  ")


def test_long_text_is_cut_not_refused_and_mark_read_touches_only_own_rows():
    u, other = UserFactory(), UserFactory()
    services.notify(recipients=[u, other], kind="session.changed", text="word " * 200)
    mine = Notification.objects.get(recipient=u)
    assert len(mine.text) == services.TEXT_LIMIT and mine.text.endswith("…")
    assert services.notifications_mark_read(user=u, ids=[mine.pk, Notification.objects.get(recipient=other).pk]) == 1
    assert selectors.unread_count(other) == 1 and selectors.unread_count(u) == 0
