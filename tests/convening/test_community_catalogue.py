"""A community's own activity catalogue, edited by its coordinators without the admin (issue 18.19)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from convene.communities.models import AuditEntry
from convene.convening import services
from convene.convening.models import ActivityType
from convene.convening.selectors import community_catalogue
from convene.core.errors import Conflict, InvalidInput


def test_parse_agenda():
    assert services.parse_agenda("Welcome | 10\n\nRound of cases|45\nClose") == [
        {"title": "Welcome", "minutes": 10},
        {"title": "Round of cases", "minutes": 45},
        {"title": "Close", "minutes": 0},
    ]
    with pytest.raises(InvalidInput, match="line 1: the minutes"):
        services.parse_agenda("Welcome | ten")
    with pytest.raises(InvalidInput, match="between 0 and"):
        services.parse_agenda("Welcome | 9999")


def test_adapt_hide_and_add_are_per_community(world):
    coordinator = world.users["coordinator"]
    base = ActivityType.objects.order_by("pk").first()
    entry = services.catalogue_entry_adapt(community=world.private, actor=coordinator, base=base)
    services.catalogue_entry_update(
        entry=entry, actor=coordinator, name="Our version", summary="Short", how="", agenda="Start | 5"
    )
    services.catalogue_entry_hide(entry=entry, actor=coordinator, hidden=True)
    own = services.catalogue_entry_create(community=world.private, actor=coordinator, name="Journal club")
    with pytest.raises(Conflict):
        services.catalogue_entry_create(community=world.private, actor=coordinator, name="journal CLUB")
    private_rows = community_catalogue(world.private)
    row = next(r for r in private_rows if r["base"] == base)
    assert row["entry"].name == "Our version" and row["hidden"]
    assert any(r["entry"] == own for r in private_rows)
    public_row = next(r for r in community_catalogue(world.public) if r["base"] == base)
    assert public_row["entry"] is None and not public_row["hidden"]  # other communities keep the shipped one
    base.refresh_from_db()
    assert base.name != "Our version"  # the shared catalogue is untouched
    actions = set(AuditEntry.objects.filter(community=world.private).values_list("action", flat=True))
    assert {"catalogue.adapt", "catalogue.update", "catalogue.hide", "catalogue.create"} <= actions


def test_pages(world):
    client = world.client("coordinator")
    url = reverse("convening:community_catalogue", args=["priv"])
    page = client.get(url).content.decode()
    assert "Add an activity of your own" in page and "Adapt" in page
    res = client.post(url, {"name": "Journal club", "summary": "", "how": "", "agenda": "Paper | x"})
    assert "the minutes after" in res.content.decode()  # the form keeps its input and says what is wrong
    assert 'value="Journal club"' in res.content.decode()
    res = client.post(url, {"name": "Journal club", "summary": "Papers", "how": "", "agenda": "Paper | 30"})
    assert res.status_code == 302
    page = world.client("member").get(url).content.decode()
    assert "Journal club" in page and "Add an activity of your own" not in page
    base = ActivityType.objects.order_by("pk").first()
    res = client.post(reverse("convening:catalogue_adapt", args=["priv", base.slug]))
    assert res.status_code == 302 and "/edit/" in res.url
    edit = client.get(res.url).content.decode()
    assert base.name in edit
