"""Issue 18.18 and 18.20 in the browser: every page the demo journeys reach fits a 390 px phone (no
sideways scrolling, axe clean), section menus collapse behind a button, and a coordinator finds
things from the header search."""

from __future__ import annotations

from collections import deque
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve

from convene.accounts.models import User

from .conftest import Journey

PHONE = {"width": 390, "height": 844}
SKIP_PREFIXES = ("/admin", "/api/", "/accounts/logout", "/static/", "/media/")
SKIP_SUFFIXES = (".ics", ".csv", ".zip", ".pdf", ".docx", ".json", ".md", ".svg", ".png")
PER_USER = 200  # distinct routes per person; routes already checked for someone else are skipped
# lists each person re-reads for links (their own projects, communities, sessions); other routes once
HUBS = {
    "core:home",
    "projects:mine",
    "projects:community",
    "communities:list",
    "communities:detail",
    "convening:community_sessions",
    "deliberation:list",
}
DEMO_PEOPLE = (
    "coordinator@example.org",  # psychiatry: sessions, joint response
    "ignite.coordinator@example.org",  # projects, help requests, case studies
    "member01@example.org",
    "guest@example.org",
)


def _login(page, base_url: str, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )


def _route(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def _links(page) -> list[str]:
    # links marked `download` are files, not pages
    hrefs = page.eval_on_selector_all("a[href]:not([download])", "els => els.map(e => e.getAttribute('href'))")
    out = []
    for href in hrefs:
        if not href or not href.startswith("/") or href.startswith("//"):
            continue
        path = urlsplit(href).path
        if path.startswith(SKIP_PREFIXES) or path.endswith(SKIP_SUFFIXES):
            continue
        out.append(path)
    return out


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield Journey(page, live_server.url)
    context.close()


@pytest.mark.django_db(transaction=True)
def test_every_demo_page_fits_a_phone(phone):
    j = phone
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - closed with the process
    seen_routes: set[str] = set()
    too_wide, visited = [], []
    for email in DEMO_PEOPLE:
        _login(j.page, j.base_url, User.objects.get(email=email))
        queue, queued, checked, mine = deque(["/"]), {"/"}, 0, set()
        while queue and checked < PER_USER:
            path = queue.popleft()
            route = _route(path)
            if route is None or (route in seen_routes and route not in HUBS) or (route, path) in mine:
                continue
            seen_routes.add(route)
            mine.add((route, path))
            response = j.page.goto(j.base_url + path)
            if (
                response is None
                or response.status >= 400
                or not response.headers.get("content-type", "").startswith("text/html")
            ):
                continue
            j.check()  # axe: no serious or critical violation
            checked += 1
            visited.append(path)
            width = j.page.evaluate("document.scrollingElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide.append((path, width))
            for link in _links(j.page):
                if link not in queued:
                    queued.add(link)
                    queue.append(link)
    print(f"{len(visited)} pages checked at 390 px:", *visited, sep="\n  ")
    assert len(visited) > 40, visited
    assert not too_wide, too_wide


@pytest.mark.django_db(transaction=True)
def test_section_menus_collapse_on_a_phone(phone):
    j = phone
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    _login(j.page, j.base_url, User.objects.get(email="coordinator@example.org"))
    for path in ("/c/psychiatry/", _first_session_path(j)):
        j.go(path)
        toggle = j.page.locator("button.menu-toggle").first
        assert toggle.get_attribute("aria-expanded") == "false"
        menu = j.page.locator(f"#{toggle.get_attribute('aria-controls')}")
        assert not menu.is_visible()
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true" and menu.is_visible()
        j.check()
        assert j.page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    # on a wide screen the menu is a plain row, no button
    j.page.set_viewport_size({"width": 1280, "height": 900})
    j.page.reload()
    assert not j.page.locator("button.menu-toggle").first.is_visible()
    assert j.page.locator("nav.collapsible").first.is_visible()


def _first_session_path(j) -> str:
    j.go("/c/psychiatry/sessions/")
    href = j.page.locator("main a[href^='/sessions/']").first.get_attribute("href")
    return urlsplit(href).path


@pytest.mark.django_db(transaction=True)
def test_search_from_the_header(journey):
    j = journey
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    _login(j.page, j.base_url, User.objects.get(email="coordinator@example.org"))
    j.go("/")
    j.page.get_by_role("searchbox", name="Search Convene").fill("psychiatry")
    j.page.get_by_role("search").first.get_by_role("button", name="Search").click()
    j.check()
    j.expect_text("Communities")
    assert "/search/?q=psychiatry" in j.page.url
    j.click(j.page.locator("main .search-hits a").first)
    assert "/c/" in j.page.url
    # a query that matches nothing says so, and a 404 offers search too
    j.go("/search/?q=zzzqqqxx")
    j.expect_text("Nothing you can see matches")
    response = j.page.goto(j.base_url + "/c/psychiatry/no-such-page/")
    assert response.status == 404
    j.check()
    j.expect_text("We could not find this page")
    j.click(j.page.get_by_role("link", name="Go up one level"))
    assert j.page.url.endswith("/c/psychiatry/")
