"""The API plans a session from the host's own catalogue too (`activity: "entry-<id>"`, issue 18.19)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from convene.convening import services
from convene.convening.models import Session

pytestmark = pytest.mark.django_db


def _body(activity: str) -> dict:
    return {
        "title": "Journal club, April",
        "activity": activity,
        "starts_at": (timezone.now() + timedelta(days=5)).isoformat(),
    }


def test_a_session_from_a_catalogue_entry(world, api):
    coordinator = world.users["coordinator"]
    own = services.catalogue_entry_create(community=world.public, actor=coordinator, name="Journal club")
    theirs = services.catalogue_entry_create(community=world.private, actor=coordinator, name="Their club")
    client = api("coordinator")
    made = client.post("/convening/communities/pub/sessions", _body(f"entry-{own.pk}"))
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["activity"], body["activity_name"], body["catalogue_entry"]) == (
        "open-discussion",
        "Journal club",
        own.pk,
    )
    for wrong in (f"entry-{theirs.pk}", "entry-999999", "entry-x"):
        answer = client.post("/convening/communities/pub/sessions", _body(wrong))
        assert answer.status_code == 400 and answer.json()["code"] == "invalid", wrong
        assert "catalogue of" in answer.json()["detail"]
    services.catalogue_entry_hide(entry=own, actor=coordinator, hidden=True)
    hidden = client.post("/convening/communities/pub/sessions", _body(f"entry-{own.pk}"))
    assert hidden.status_code == 400 and "hidden" in hidden.json()["detail"]
    assert Session.objects.filter(title="Journal club, April").count() == 1
    shipped = client.post("/convening/communities/pub/sessions", _body("open-discussion")).json()
    assert shipped["catalogue_entry"] is None and shipped["activity_name"] == "Open discussion"
