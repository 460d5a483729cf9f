"""The /search/ page and GET /api/v1/search."""

from __future__ import annotations

from django.urls import reverse


def test_page_lists_groups_and_keeps_the_query(world):
    client = world.client("member")
    page = client.get(reverse("search:search"), {"q": "practice"}).content.decode()
    assert "Private Practice" in page and "Public Practice" in page
    assert 'value="practice"' in page
    assert '<h2 id="h-communities">Communities</h2>' in page


def test_page_without_results_and_short_query(world):
    client = world.client("member")
    assert "Nothing you can see matches" in client.get(reverse("search:search"), {"q": "zzzqqq"}).content.decode()
    assert "at least 2 characters" in client.get(reverse("search:search"), {"q": "z"}).content.decode()


def test_header_has_the_search_form(world):
    page = world.client("member").get("/").content.decode()
    assert 'role="search"' in page and 'action="/search/"' in page


def test_api(world):
    client = world.client("outsider")
    body = client.get("/api/v1/search", {"q": "practice"}).json()
    assert [r["title"] for r in body["results"]] == ["Public Practice"]
    assert body["results"][0]["kind"] == "communities" and body["results"][0]["url"] == "/c/pub/"
    for short in ("p", " p ", "  "):  # the schema says: two characters that are not spaces
        res = client.get("/api/v1/search", {"q": short})
        assert res.status_code == 422 and res.json()["code"] == "validation_error", short
    res = client.get("/api/v1/search", {"q": "practice", "kind": "gossip"})
    assert res.status_code == 400 and "Unknown kind" in res.json()["detail"]
    res = client.get("/api/v1/search", {"q": "practice", "limit": "0"})
    assert res.status_code == 422
    assert client.get("/api/v1/search", {"q": "practice", "kind": "people"}).json()["results"] == []
    assert world.client("anonymous").get("/api/v1/search", {"q": "practice"}).status_code == 401
