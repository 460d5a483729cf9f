"""404 and 403 pages in plain words with a way back (issue 18.19), as DEBUG=False serves them."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def test_tests_run_with_debug_off():
    assert settings.DEBUG is False  # so the suite sees the pages people see, not Django's technical ones


def test_unknown_address_is_plain_with_a_way_back(world):
    res = world.client("member").get("/c/pub/nothing-here/")
    body = res.content.decode()
    assert res.status_code == 404
    assert "We could not find this page" in body
    assert "Resolver404" not in body and "tried" not in body.lower()
    assert 'href="/c/pub/"' in body and "Go up one level" in body
    assert "Go to your home page" in body and 'role="search"' in body


def test_a_views_own_message_is_kept_but_not_djangos(world):
    res = world.client("member").get(reverse("projects:detail", args=[999999]))
    body = res.content.decode()
    assert res.status_code == 404 and "No such project." in body
    assert "matches the given query" not in body


def test_private_community_is_a_plain_not_found_for_outsiders(world):
    res = world.client("outsider").get("/c/priv/")
    assert res.status_code == 404 and "private community you are not a member of" in res.content.decode()


def test_forbidden_page_explains_and_leads_back(world):
    res = world.client("member").get(reverse("communities:edit", args=["pub"]))
    body = res.content.decode()
    assert res.status_code == 403
    assert "You cannot do this here" in body and "Only coordinators of this community can do that." in body
    assert "A coordinator of the community can change your role" in body
    assert 'href="/c/pub/"' in body and "Go to your home page" in body


def test_anonymous_not_found_offers_log_in(client, db):
    body = client.get("/no/such/page/").content.decode()
    assert "Log in" in body and "next=/no/such/page/" in body
