"""Browser tests: Playwright for Python driving Debian's Chromium, axe-core on every page."""

from __future__ import annotations

import os
import re
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.test import Client

from convene.accounts.models import User
from convene.communities.models import Community, Role

from ..factories import PASSWORD, CommunityFactory, MembershipFactory, UserFactory

CHROMIUM = os.environ.get("CONVENE_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Playwright's sync API runs an event loop in this thread; the ORM calls we make from tests are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.e2e)
            if os.environ.get("CONVENE_E2E") == "skip":
                item.add_marker(pytest.mark.skip(reason="CONVENE_E2E=skip"))
            elif not Path(CHROMIUM).exists():
                if os.environ.get("CI"):
                    raise pytest.UsageError(f"CI needs {CHROMIUM} for the browser tests (apt-get install chromium)")
                item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} not installed (apt-get install chromium)"))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


class A11yError(AssertionError):
    pass


class Journey:
    """A page plus an accessibility check after every navigation."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.checked: list[str] = []
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()

    def go(self, path: str):
        self.page.goto(self.base_url + path)
        self.check()

    def check(self):
        self.page.wait_for_load_state("domcontentloaded")
        results = self.axe.run(self.page)
        bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
        if bad:
            lines = [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}" for v in bad]
            raise A11yError(f"axe on {self.page.url}:\n" + "\n".join(lines))
        self.checked.append(self.page.url)

    def click(self, selector_or_locator, **kwargs):
        locator = (
            self.page.locator(selector_or_locator) if isinstance(selector_or_locator, str) else selector_or_locator
        )
        locator.click(**kwargs)
        self.check()

    def submit(self, button_name: str):
        self.page.get_by_role("button", name=button_name).click()
        self.check()

    def log_in_with_form(self, email: str):
        """Sign in as a person would, through the login form (cookies cleared first; `login` skips the form)."""
        self.page.context.clear_cookies()
        self.go("/accounts/login/")
        self.page.fill("#id_login", email)
        self.page.fill("#id_password", PASSWORD)
        self.page.locator("main form button[type=submit]").click()
        self.page.wait_for_url(lambda url: "/accounts/login" not in url)
        self.check()

    def expect_text(self, text: str):
        from playwright.sync_api import expect

        expect(self.page.locator("main")).to_contain_text(text)

    def login(self, user) -> None:
        """Sign the browser in as ``user`` (a session made by Django's test client)."""
        client = Client()
        client.force_login(user)
        self.page.context.clear_cookies()
        self.page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": self.base_url,
                }
            ]
        )


@pytest.fixture
def journey(browser, live_server):
    # The live server's first request imports every view module (numpy, the engines ...): on a busy
    # machine that takes longer than a page's timeout, so warm it up before the browser's first page.
    urllib.request.urlopen(live_server.url + "/healthz", timeout=180).close()
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield Journey(page, live_server.url)
    context.close()


@dataclass
class TwoCommunities:
    """Acute Psychiatry and Social Work Circle, the two sides of the convening journeys."""

    psychiatry: Community
    social: Community

    def person(self, email, name, community, role=Role.MEMBER, discipline="", seniority="mid") -> User:
        """A person of `community` with a verified e-mail address, so the login form lets them in."""
        user = UserFactory(email=email, name=name)
        user.profile.discipline, user.profile.seniority = discipline, seniority
        user.profile.save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        MembershipFactory(community=community, user=user, role=role)
        return user


@pytest.fixture
def two_communities(transactional_db) -> TwoCommunities:
    return TwoCommunities(
        psychiatry=CommunityFactory(slug="psychiatry", name="Acute Psychiatry"),
        social=CommunityFactory(slug="social-work", name="Social Work Circle"),
    )


def link_in_mail(body: str) -> str:
    match = re.search(r"https?://\S+", body)
    assert match, body
    return re.sub(r"^https?://[^/]+", "", match.group(0))
