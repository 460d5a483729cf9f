"""Issue 20 point 3 in the browser: a member switches the interface to Simplified Chinese in the
header and every page they go through reads in Chinese (apart from what people wrote), `<html lang>`
says so, axe finds nothing serious at desktop width and at 390 px; then they switch back to English.

`everything` also visits a community, a session and a joint response (the communities, convening
and deliberation apps): it passes once every app's text is marked and translated; `foundation`
covers the pages of the project, core, accounts, notifications and discussions.
"""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from django.urls import reverse

from convene.communities.models import Role
from convene.convening import services as convening
from convene.convening.models import ActivityType
from convene.deliberation import services as deliberation
from convene.discussions import services as discussions
from convene.notifications.services import notify

from ..factories import CommunityFactory, MembershipFactory, UserFactory

# Words allowed in Latin letters on a Chinese page (brand and technical names, docs/i18n.md).
ALLOW = {"Convene", "API", "English", "CSV", "PDF", "DOCX", "ICS", "JSON", "Markdown", "Pol.is"}
# The interface's own text: header links and buttons, headings, buttons and labels in the page.
# What people wrote is inside <bdi> (names, titles) or a post's body, and is taken out first.
INTERFACE_TEXT = """() => {
  const picked = document.querySelectorAll(
    "header a, header button, header label, main h1, main h2, main h3, main button, main label, main th, main nav a"
  );
  return Array.from(picked).map((el) => {
    const copy = el.cloneNode(true);
    copy.querySelectorAll("bdi, .post-body, code, option").forEach((n) => n.remove());
    return copy.textContent.replace(/\\s+/g, " ").trim();
  }).filter(Boolean);
}"""


# What the test's people wrote, where the page cannot isolate it in <bdi> (an aria-label, a <title>).
USER_TEXT = ["Ward nurses", "Social workers", "Night rota", "Referrals across the boundary", "New discharge rules"]


def _latin_words(texts: list[str]) -> list[str]:
    for written in USER_TEXT:
        texts = [text.replace(written, "") for text in texts]
    words = [w for text in texts for w in re.findall(r"[A-Za-z][A-Za-z.]+", text)]
    return [w for w in words if w not in ALLOW]


def _assert_chinese(j):
    assert j.page.locator("html").get_attribute("lang") == "zh-hans"
    texts = j.page.evaluate(INTERFACE_TEXT)
    assert texts, "no interface text found"
    assert _latin_words(texts) == [], f"English left on {j.page.url}: {texts}"
    assert re.search(r"[\u4e00-\u9fff]", " ".join(texts))


def _switch(j, code: str, button: str):
    j.page.locator("#lang-select").select_option(code)
    with j.page.expect_navigation():
        j.page.get_by_role("button", name=button).click()
    j.check()


@pytest.mark.parametrize("scope", ["foundation", "everything"])
@pytest.mark.django_db(transaction=True)
def test_the_site_reads_in_chinese_and_switches_back(journey, scope):
    j = journey
    community = CommunityFactory(slug="wards", name="Ward nurses")
    lead = UserFactory(email="cora@example.com", name="Cora Lead")
    member = UserFactory(email="mia@example.com", name="Mia Member")
    MembershipFactory(community=community, user=lead, role=Role.COORDINATOR)
    MembershipFactory(community=community, user=member, role=Role.MEMBER)
    thread = discussions.thread_create(community=community, author=lead, title="Night rota", body="Who can swap?")
    notify(recipients=[member], kind="community.message", text="Rota posted", url=f"/discussions/{thread.pk}/")
    pages = [
        "/",
        reverse("notifications:list"),
        reverse("accounts:profile"),
        reverse("discussions:thread", args=[thread.pk]),
    ]
    if scope == "everything":
        session = convening.session_create(
            host=community,
            actor=lead,
            activity=ActivityType.objects.get(slug="boundary-engagement"),
            title="Referrals across the boundary",
            starts_at=datetime(2030, 1, 15, 14, 0),
            time_zone="Europe/London",
            invited_communities=[CommunityFactory(slug="social", name="Social workers")],
        )
        response = deliberation.response_create(
            community=community, creator=lead, title="New discharge rules", what_changed="The board changed them."
        )
        pages += [
            reverse("communities:detail", args=[community.slug]),
            reverse("convening:session", args=[session.pk]),
            reverse("deliberation:detail", args=[response.pk]),
        ]

    j.login(member)
    j.go("/")
    assert j.page.locator("html").get_attribute("lang") == "en"
    # The switcher works by keyboard: focus the select, choose, then the button.
    j.page.locator("#lang-select").focus()
    j.page.keyboard.press("End")  # the last language: 简体中文
    j.page.keyboard.press("Tab")
    with j.page.expect_navigation():
        j.page.keyboard.press("Enter")
    j.check()
    assert j.page.locator("#lang-select").input_value() == "zh-hans"

    for path in pages:
        j.go(path)
        _assert_chinese(j)
    j.go(reverse("notifications:list"))
    assert "Rota posted" in j.page.locator("main").inner_text()  # what people wrote stays as written

    j.page.set_viewport_size({"width": 390, "height": 844})
    for path in pages[:3]:
        j.go(path)  # axe at phone width
        _assert_chinese(j)
        assert j.page.evaluate("document.documentElement.scrollWidth") <= 390, f"{path} scrolls sideways"
    j.page.set_viewport_size({"width": 1280, "height": 900})

    # The choice is in the profile, so it follows the member to another browser (a fresh session).
    j.login(member)
    j.go(reverse("accounts:profile"))
    assert j.page.locator("html").get_attribute("lang") == "zh-hans"
    assert j.page.locator("#id_language").input_value() == "zh-hans"

    _switch(j, "en", "切换语言")
    assert j.page.url == j.base_url + reverse("accounts:profile")  # back on the same page
    assert j.page.locator("html").get_attribute("lang") == "en"
    j.expect_text("My profile")
    assert j.page.get_by_role("button", name="Switch language").is_visible()
