"""/api/v1/notifications: list (paginated), unread count, mark read, preferences; JSON errors."""

from __future__ import annotations

import pytest

from convene.notifications import services
from tests.conftest import ApiClient
from tests.factories import CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db


def _notify(user, text="Hello"):
    made = services.notify(recipients=[user], kind="session.changed", text=text, url="/", community=CommunityFactory())
    return made[0]


def test_list_count_and_mark_read():
    me, other = UserFactory(), UserFactory()
    made = [_notify(me, f"n{i}") for i in range(3)]
    theirs = _notify(other)
    api = ApiClient(me)
    page = api.get("/notifications?limit=2").json()
    assert page["count"] == 3 and [n["text"] for n in page["items"]] == ["n2", "n1"]
    assert page["items"][0]["kind_label"] == "Changes to sessions you are invited to"
    assert page["items"][0]["unread"] is True and page["items"][0]["community"]
    assert api.get("/notifications/unread-count").json() == {"unread": 3}
    assert api.post(f"/notifications/{made[0].pk}/read", {}).json() == {"marked": 1, "unread": 2}
    assert api.post(f"/notifications/{made[0].pk}/read", {}).json() == {"marked": 0, "unread": 2}
    assert api.get("/notifications?unread=true").json()["count"] == 2
    missing = api.post(f"/notifications/{theirs.pk}/read", {})
    assert missing.status_code == 404 and set(missing.json()) == {"detail", "code"}
    assert api.post("/notifications/read-all", {}).json() == {"marked": 2, "unread": 0}
    assert ApiClient(other).get("/notifications/unread-count").json() == {"unread": 1}


def test_preferences_read_and_change():
    me = UserFactory()
    api = ApiClient(me)
    rows = {r["kind"]: r for r in api.get("/notifications/preferences").json()}
    assert rows["community.message"]["delivery"] == "daily" and rows["session.invited"]["urgent"] is True
    changed = api.put("/notifications/preferences", {"choices": {"community.message": "never"}})
    assert changed.status_code == 200
    assert {r["kind"]: r["delivery"] for r in changed.json()}["community.message"] == "never"
    unknown = api.put("/notifications/preferences", {"choices": {"no.such": "never"}})
    assert unknown.status_code == 422 and unknown.json()["code"] == "validation_error"
    wrong = api.put("/notifications/preferences", {"choices": {"community.message": "hourly"}})
    assert wrong.status_code == 422


def test_anonymous_gets_json_401():
    answer = ApiClient().get("/notifications")
    assert answer.status_code == 401 and answer.json()["code"] == "unauthenticated"
