"""The helpers the apps call when an event concerns someone (notifications/events.py)."""

from __future__ import annotations

import pytest

from convene.core.errors import InvalidInput
from convene.notifications.events import coordinator_ids, message_send, notify_mailed, require_audience
from convene.notifications.models import Notification


def test_coordinator_ids_of_several_communities(world):
    assert coordinator_ids(world.public, world.private.pk, None) == {world.users["coordinator"].pk}


def test_notify_mailed_stamps_the_rows_it_creates(world):
    made = notify_mailed(
        recipients=[world.users["member"], world.users["guest"]],
        kind="session.cancelled",
        text="The session “Spring” is cancelled.",
        actor=world.users["guest"],
    )
    assert [n.recipient for n in made] == [world.users["member"]]
    assert Notification.objects.get().mailed_at is not None
    assert notify_mailed(recipients=[], kind="session.cancelled", text="Nothing") == []


def test_message_send_takes_only_message_kinds_and_clean_text(world):
    kwargs = {"recipients": [world.users["member"]], "obj": world.public, "sender": world.users["coordinator"]}
    with pytest.raises(ValueError):
        message_send(kind="session.cancelled", about="everyone", text="Hi", url="/", **kwargs)
    with pytest.raises(InvalidInput):
        message_send(kind="community.message", about="everyone", text=" \n ", url="/", **kwargs)
    assert (
        message_send(kind="community.message", about="everyone in X", text="Line one\nline two", url="/", **kwargs) == 1
    )
    assert (
        Notification.objects.get().text == "Cora Coordinator wrote to everyone in X: Line one\nline two"
    )  # lines kept as written
    with pytest.raises(InvalidInput) as refused:
        require_audience("project", "everyone")
    assert refused.value.field == "audience" and "team" in refused.value.message
