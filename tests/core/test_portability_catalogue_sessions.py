"""A session planned from a community's catalogue entry keeps its entry through export and import
(issue 18.19): the copy's session points at the copy's entry, never at the original's."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from convene.communities.models import Community
from convene.convening import services
from convene.convening.models import CommunityActivity, Session
from convene.core.portability import community_export, community_import

from ..conftest import build_world


@pytest.mark.django_db
def test_a_session_keeps_its_catalogue_entry_through_export_and_import():
    world = build_world()
    coordinator = world.users["coordinator"]
    entry = services.catalogue_entry_create(community=world.private, actor=coordinator, name="Journal club")
    services.session_create(
        host=world.private,
        actor=coordinator,
        catalogue_entry=entry,
        title="Journal club, March",
        starts_at=timezone.now() + timedelta(days=3),
    )
    export = json.loads(json.dumps(community_export(world.private), default=str))
    community_import(export, slug="priv-copy", name="Private copy")
    copy = Community.objects.get(slug="priv-copy")
    session = Session.objects.get(host=copy, title="Journal club, March")
    assert session.catalogue_entry == CommunityActivity.objects.get(community=copy, name="Journal club")
    assert session.catalogue_entry != entry and session.activity_name == "Journal club"
