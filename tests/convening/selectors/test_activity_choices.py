"""The session form's activity choices: the community's own activities, then the shared catalogue
with the community's versions and without what it hid (issue 18.19)."""

from __future__ import annotations

from convene.convening import selectors, services
from convene.convening.models import ActivityType


def test_own_first_versions_replace_shipped_hidden_left_out(world):
    coordinator = world.users["coordinator"]
    clinic = ActivityType.objects.get(slug="problem-solving-clinic")
    visit = ActivityType.objects.get(slug="visit")
    version = services.catalogue_entry_adapt(community=world.private, actor=coordinator, base=clinic)
    services.catalogue_entry_update(entry=version, actor=coordinator, name="Case clinic")
    hidden = services.catalogue_entry_adapt(community=world.private, actor=coordinator, base=visit)
    services.catalogue_entry_hide(entry=hidden, actor=coordinator, hidden=True)
    own = services.catalogue_entry_create(community=world.private, actor=coordinator, name="Journal club")
    gone = services.catalogue_entry_create(community=world.private, actor=coordinator, name="Old ritual")
    services.catalogue_entry_hide(entry=gone, actor=coordinator, hidden=True)

    groups = selectors.activity_choices(world.private)
    assert [label for label, _ in groups] == [f"Activities of {world.private.name}", "Shared catalogue"]
    assert groups[0][1] == [(f"entry-{own.pk}", "Journal club")]
    shared = dict(groups[1][1])
    assert shared[f"entry-{version.pk}"] == "Case clinic" and str(clinic.pk) not in shared
    assert str(visit.pk) not in shared and f"entry-{hidden.pk}" not in shared
    assert f"entry-{gone.pk}" not in shared

    # another community sees the shipped catalogue only
    public = selectors.activity_choices(world.public)
    assert [label for label, _ in public] == ["Shared catalogue"]
    assert dict(public[0][1])[str(clinic.pk)] == clinic.name

    assert selectors.activity_choice(world.private, f"entry-{own.pk}") == (None, own)
    assert selectors.activity_choice(world.public, f"entry-{own.pk}") == (None, None)
    assert selectors.activity_choice(world.private, str(clinic.pk)) == (clinic, None)
    for junk in ("", "entry-", "entry-x", "x", "9" * 40):
        assert selectors.activity_choice(world.private, junk) == (None, None)
    assert selectors.activity_choice_value(world.private, "problem-solving-clinic") == f"entry-{version.pk}"
    assert selectors.activity_choice_value(world.public, "problem-solving-clinic") == str(clinic.pk)
    assert selectors.activity_choice_value(world.private, f"entry-{gone.pk}") is None
