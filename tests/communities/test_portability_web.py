"""Export and import for coordinators on the web and API (issue 17.1): same allow-list as
`convene import`, only an export of a community one coordinates, size limits, audit entries."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client

from convene.communities.models import AuditEntry, Community, Membership
from convene.core.portability import community_export

from ..conftest import ApiClient


def _file(world) -> dict:
    return json.loads(json.dumps(community_export(world.private), cls=DjangoJSONEncoder))


def test_export_and_import_through_the_api_are_audited(world):
    coordinator = ApiClient(world.users["coordinator"])
    exported = coordinator.get("/communities/priv/export")
    assert exported.status_code == 200 and exported.json()["format"] == "convene-community-export"
    created = coordinator.post("/communities/import?slug=priv-copy&name=Copy", exported.json())
    assert created.status_code == 201, created.content
    copy = Community.objects.get(slug="priv-copy")
    assert Membership.objects.get(community=copy, user=world.users["coordinator"]).role == "coordinator"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"community_exported", "community_imported", "community_copied"} <= actions
    again = coordinator.post("/communities/import?slug=priv-copy", exported.json())
    assert again.status_code == 409 and again.json()["code"] == "slug_taken"


def test_hostile_or_foreign_files_are_refused_with_reasons(world):
    data = _file(world)
    member = ApiClient(world.users["member"])
    refused = member.post("/communities/import?slug=mine", data)
    assert refused.status_code == 403 and "coordinate" in refused.json()["detail"]
    coordinator = ApiClient(world.users["coordinator"])
    data["objects"].append({"model": "accounts.apitoken", "pk": 1, "fields": {"key_hash": "x"}})
    hostile = coordinator.post("/communities/import?slug=bad", data)
    assert hostile.status_code == 422 and "cannot be imported" in hostile.json()["detail"]
    outsider = _file(world)
    outsider["objects"].append({"model": "accounts.user", "pk": 99999, "fields": {"email": "outsider@example.com"}})
    linked = coordinator.post("/communities/import?slug=bad2", outsider)
    assert linked.status_code == 422 and "not members" in linked.json()["detail"]
    assert not Community.objects.filter(slug__in=["mine", "bad", "bad2"]).exists()


def test_web_export_download_and_import_page(world, settings):
    client = Client()
    client.force_login(world.users["coordinator"])
    download = client.get("/c/priv/export/")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    upload = SimpleUploadedFile("priv.json", download.content, content_type="application/json")
    done = client.post("/communities/import/", {"file": upload, "slug": "priv-web"})
    assert done.status_code == 302 and Community.objects.filter(slug="priv-web").exists()
    settings.CONVENE_IMPORT_MAX_BYTES = 100
    upload = SimpleUploadedFile("priv.json", download.content, content_type="application/json")
    big = client.post("/communities/import/", {"file": upload, "slug": "priv-big"})
    assert big.status_code == 400 and b"at most" in big.content
    assert not Community.objects.filter(slug="priv-big").exists()
