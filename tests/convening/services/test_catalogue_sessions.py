"""Sessions planned from a community's own catalogue (issue 18.19): the entry's name and agenda,
the shipped activity behind it, and the refusals."""

from __future__ import annotations

import pytest
from django.urls import reverse

from convene.convening import services
from convene.convening.models import ActivityType, Session
from convene.convening.services.catalogue import OWN_ACTIVITY_KIND
from convene.core.errors import InvalidInput

from ..conftest import future


def _own(world, name="Journal club", agenda="Paper | 30\nDiscussion | 40"):
    return services.catalogue_entry_create(
        community=world.private, actor=world.users["coordinator"], name=name, agenda=agenda
    )


def test_a_session_of_the_communitys_own_activity_takes_its_name_and_agenda(world):
    entry = _own(world)
    session = services.session_create(
        host=world.private, actor=world.users["coordinator"], catalogue_entry=entry, title="March", starts_at=future()
    )
    assert session.catalogue_entry == entry and session.activity.slug == OWN_ACTIVITY_KIND
    assert session.activity_name == "Journal club"
    assert [(a.title, a.minutes) for a in session.agenda.order_by("position")] == [("Paper", 30), ("Discussion", 40)]


def test_an_adapted_activity_keeps_its_shipped_kind(world):
    base = ActivityType.objects.get(slug="problem-solving-clinic")
    entry = services.catalogue_entry_adapt(community=world.private, actor=world.users["coordinator"], base=base)
    services.catalogue_entry_update(
        entry=entry, actor=world.users["coordinator"], name="Case clinic", agenda="Case | 20"
    )
    session = services.session_create(
        host=world.private, actor=world.users["coordinator"], catalogue_entry=entry, title="April", starts_at=future()
    )
    assert session.activity == base and session.activity_name == "Case clinic"
    assert [a.title for a in session.agenda.all()] == ["Case"]


def test_entries_of_another_community_or_hidden_ones_are_refused(world):
    entry = _own(world)
    with pytest.raises(InvalidInput, match="this community's catalogue"):
        services.session_create(
            host=world.public, actor=world.users["coordinator"], catalogue_entry=entry, title="x", starts_at=future()
        )
    services.catalogue_entry_hide(entry=entry, actor=world.users["coordinator"], hidden=True)
    with pytest.raises(InvalidInput, match="hidden"):
        services.session_create(
            host=world.private, actor=world.users["coordinator"], catalogue_entry=entry, title="x", starts_at=future()
        )
    with pytest.raises(InvalidInput, match="Choose an activity"):
        services.session_create(host=world.private, actor=world.users["coordinator"], title="x", starts_at=future())
    assert not Session.objects.filter(title="x").exists()


def test_the_session_form_posts_an_entry(world):
    entry = _own(world)
    client = world.client("coordinator")
    url = reverse("convening:session_create", args=["priv"])
    page = client.get(url + f"?activity=entry-{entry.pk}").content.decode()
    assert f'<option value="entry-{entry.pk}" selected>Journal club</option>' in page
    data = {
        "title": "From the catalogue",
        "activity": f"entry-{entry.pk}",
        "starts_at": future().strftime("%Y-%m-%dT%H:%M"),
        "time_zone": "UTC",
        "duration_minutes": "90",
    }
    assert client.post(url, data).status_code == 302
    session = Session.objects.get(title="From the catalogue")
    assert session.catalogue_entry == entry
    other = _own_public(world)
    answer = client.post(url, {**data, "title": "Not ours", "activity": f"entry-{other.pk}"})
    assert answer.status_code == 400 and "Choose an activity from the list" not in answer.content.decode()
    assert "Select a valid choice" in answer.content.decode()
    assert not Session.objects.filter(title="Not ours").exists()


def _own_public(world):
    return services.catalogue_entry_create(community=world.public, actor=world.users["coordinator"], name="Pub quiz")
