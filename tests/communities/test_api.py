import json

import pytest

from convene.communities.models import Community, Membership

pytestmark = pytest.mark.django_db


def test_list_is_paginated_and_hides_private(world, api):
    body = api("anonymous").get("/communities/").json()
    assert body["count"] == 1 and [c["slug"] for c in body["items"]] == ["pub"]
    body = api("member").get("/communities/?limit=1&offset=1").json()
    assert body["count"] == 2 and [c["slug"] for c in body["items"]] == ["pub"]


def test_create_update_delete(world, api):
    client = api("outsider")
    response = client.post("/communities/", {"name": "Night Nurses", "domain": "Nights", "visibility": "private"})
    assert response.status_code == 201, response.content
    assert response.json()["slug"] == "night-nurses"
    response = client.patch("/communities/night-nurses", {"description": "We work nights."})
    assert response.status_code == 200 and response.json()["description"] == "We work nights."
    assert api("member").get("/communities/night-nurses").status_code == 404  # private, not a member
    assert client.delete("/communities/night-nurses").status_code == 204
    assert not Community.objects.filter(slug="night-nurses").exists()


def test_error_format_and_codes(world, api):
    client = api("coordinator")
    dup = client.post("/communities/", {"name": "Public Practice", "slug": "pub", "domain": "x"})
    assert dup.status_code == 409 and dup.json()["code"] == "slug_taken"
    missing = client.post("/communities/", {"name": "No domain"})
    assert missing.status_code == 422 and missing.json()["code"] == "validation_error"
    bad_json = client.call("POST", "/communities/", "{not json", content_type="application/json")
    assert bad_json.status_code == 400 and bad_json.json() == {
        "detail": "The request body is not valid JSON.",
        "code": "bad_request",
    }
    wrong_type = client.call("POST", "/communities/", "name=x", content_type="application/x-www-form-urlencoded")
    assert wrong_type.status_code == 415 and wrong_type.json()["code"] == "unsupported_media_type"
    huge = client.call(
        "POST", "/communities/", json.dumps({"name": "x" * 2_000_000, "domain": "y"}), content_type="application/json"
    )
    assert huge.status_code == 413
    long_name = client.post("/communities/", {"name": "x" * 121, "domain": "y"})
    assert long_name.status_code == 422 and long_name.json()["code"] == "validation_error"  # maxLength 120
    for blank in ("", "   ", "\u200b"):  # the schema's pattern: something visible
        assert client.post("/communities/", {"name": blank, "domain": "y"}).status_code == 422, blank
    assert client.get("/communities/nope").json() == {"detail": "No such community.", "code": "not_found"}
    assert api("anonymous").post("/communities/", {"name": "a", "domain": "b"}).status_code == 401
    forbidden = api("member").patch("/communities/pub", {"name": "Mine now"})
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "forbidden"
    assert Community.objects.get(slug="pub").name == "Public Practice"


def test_members_directory_search_and_role_change(world, api):
    client = api("coordinator")
    members = client.get("/communities/pub/members?skill=").json()
    assert members["count"] == 3
    found = client.get("/communities/pub/members?q=Mia").json()["items"]
    assert [m["profile"]["display_name"] for m in found] == ["Mia Member"]
    assert "diversity" not in json.dumps(found)
    member_id = found[0]["id"]
    response = client.patch(f"/communities/pub/members/{member_id}", {"role": "coordinator"})
    assert response.status_code == 200 and response.json()["role"] == "coordinator"
    assert client.patch(f"/communities/pub/members/{member_id}", {"role": "king"}).status_code == 422
    assert api("guest").get("/communities/pub/members").status_code == 403


def test_last_coordinator_conflict_via_api(world, api):
    me = Membership.objects.get(community=world.public, user=world.users["coordinator"])
    response = api("coordinator").delete(f"/communities/pub/members/{me.pk}")
    assert response.status_code == 409 and response.json()["code"] == "last_coordinator"


def test_join_request_and_decision(world, api):
    response = api("outsider").post("/communities/pub/join-requests", {"message": "Please"})
    assert response.status_code == 201
    request_id = response.json()["id"]
    assert (
        api("member").post(f"/communities/pub/join-requests/{request_id}/decision", {"approve": True}).status_code
        == 403
    )
    assert (
        api("coordinator").post(f"/communities/pub/join-requests/{request_id}/decision", {"approve": True}).status_code
        == 200
    )
    assert Membership.objects.filter(community=world.public, user=world.users["outsider"]).exists()
    audit = api("coordinator").get("/communities/pub/audit").json()["items"]
    assert audit[0]["action"] == "join_approved"


def test_glossary_and_mapping(world, api):
    client = api("member")
    created = client.post("/communities/pub/glossary", {"term": "handover", "definition": "Passing on care."})
    assert created.status_code == 201
    assert client.post("/communities/pub/glossary", {"term": "Handover", "definition": "again"}).status_code == 409
    term_id = created.json()["id"]
    target = world.objects["private_term"].pk
    mapping = client.post("/communities/pub/mappings", {"source_term_id": term_id, "target_term_id": target})
    assert mapping.status_code == 201 and mapping.json()["target_community"] == "priv"
    # an outsider cannot map onto a private community's term they cannot see
    outsider_term = api("outsider").post("/communities/", {"name": "Mine", "domain": "d"})
    assert outsider_term.status_code == 201
    own = api("outsider").post("/communities/mine/glossary", {"term": "a", "definition": "b"}).json()["id"]
    hidden = api("outsider").post("/communities/mine/mappings", {"source_term_id": own, "target_term_id": target})
    assert hidden.status_code == 404
    assert api("guest").get("/communities/pub/glossary").status_code == 200
    assert api("guest").post("/communities/pub/glossary", {"term": "g", "definition": "d"}).status_code == 403


def test_session_auth_needs_csrf(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["member"])
    assert client.get("/api/v1/communities/pub/members").status_code == 200
    refused = client.post(
        "/api/v1/communities/pub/glossary",
        json.dumps({"term": "t", "definition": "d"}),
        content_type="application/json",
    )
    assert refused.status_code == 403


def test_me_profile_diversity_tokens_and_data(world, api):
    client = api("member")
    assert client.patch("/me/profile", {"skills": ["Python", "python", "R"]}).json()["skills"] == ["python", "r"]
    assert client.put("/me/diversity", {"answers": {"gender": "woman"}, "consent": False}).status_code == 400
    assert client.put("/me/diversity", {"answers": {"gender": "woman"}, "consent": True}).status_code == 200
    data = client.get("/me/data").json()
    assert data["diversity_answers"][0]["value"] == "woman"
    # nobody else sees it, not even a coordinator through the directory
    directory = api("coordinator").get("/communities/pub/members").content.decode()
    assert "woman" not in directory
    assert client.post("/me/tokens", {"name": "second"}).status_code == 403  # a token makes no tokens
    session = world.client("member")  # the test client skips CSRF checks
    created = session.post("/api/v1/me/tokens", {"name": "second"}, content_type="application/json").json()
    assert created["secret"].startswith("cvn_")
    assert session.delete(f"/api/v1/me/tokens/{created['id']}").status_code == 204
    assert session.delete("/api/v1/me/tokens/999999").status_code == 404


def test_openapi_schema_and_docs(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/communities/" in schema["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_nul_characters_are_refused_before_reaching_the_database(world, api):
    response = api("member").patch("/me/profile", {"bio": "before\u0000after"})
    assert response.status_code == 400 and "NUL" in response.json()["detail"]
