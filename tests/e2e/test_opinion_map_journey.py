"""Issue 18.8-9 in the browser: the opinion map reads as bubbles and labelled group areas, hover and
the keyboard tell a bubble's group (never a person or a community in an anonymous response), the
plot has tables, the split lists hold only real splits and "spread" is explained. At desktop width
and at 390 px, axe after each step; with 20 participants and with 2,000."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from ..deliberation.selectors.crowd import AGREED, crowd

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = os.environ.get("CONVENE_SCREENSHOTS")  # a folder: save what the test saw


def _shot(j, name):
    if SHOTS:
        j.page.locator("figure.opinion-plot").screenshot(path=os.path.join(SHOTS, f"{name}.png"))


def _read_the_map(j, c, *, name, anonymous=False):
    page = j.page
    for size, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page.set_viewport_size(size)
        j.go(f"/responses/{c.response.pk}/map/")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"] + 1, (label, width)
        plot = page.locator("svg.scatter")
        expect(plot).to_be_visible()
        # each group's area is drawn and labelled with its letter and size
        labels = page.locator("svg.scatter text.hull-label").all_text_contents()
        assert len(labels) >= 2 and all(re.fullmatch(r"[A-E] · \d+ people", t) for t in labels), labels
        assert page.locator("svg.scatter path.hull").count() == len(labels)
        bubbles = page.locator("svg.scatter g.bubble")
        assert 0 < bubbles.count() < c.n
        _shot(j, f"{name}-{label}")
    # hover: the line under the plot names the bubble's group
    caption = page.locator("#plot-focus")
    bubbles.nth(0).hover()
    expect(caption).to_contain_text(re.compile(r"^(Group [A-E]|Not in a described group): "))
    # keyboard: one tab stop, arrows move from bubble to bubble, the caption follows the focus
    bubbles.nth(0).focus()
    first = caption.inner_text()
    page.keyboard.press("End")
    assert page.evaluate("document.activeElement.classList.contains('bubble')")
    last = caption.inner_text()
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == last
    assert bubbles.nth(bubbles.count() - 1).get_attribute("tabindex") == "0"
    page.keyboard.press("Home")
    assert caption.inner_text() == first
    page.keyboard.press("ArrowRight")
    assert bubbles.nth(1).evaluate("el => el === document.activeElement")
    assert page.locator("svg.scatter g.bubble[tabindex='0']").count() == 1
    j.check()
    seen = [first, last, caption.inner_text()]
    if anonymous:
        assert not any(name in text for text in seen for name in c.community_names), seen
        titles = " ".join(page.eval_on_selector_all("svg.scatter title", "els => els.map(e => e.textContent)"))
        assert not any(name in titles for name in c.community_names)
    # the table equivalent
    page.get_by_text("The plot as tables").click()
    groups = page.locator("table", has=page.locator("caption", has_text="Opinion groups on the map"))
    expect(groups).to_be_visible()
    spots = page.locator("table", has=page.locator("caption", has_text="Bubbles: people at each spot"))
    assert spots.locator("tbody tr").count() == bubbles.count()
    if anonymous:
        people = spots.locator("tbody td:nth-child(3)").all_inner_texts()
        assert all(t == "not shown, to protect anonymity" or int(t) >= 5 for t in people), people
    j.check()
    # where groups split: never the statement everyone agrees with; the rule and "spread" in words
    split = page.locator("section[aria-labelledby=divisive]")
    expect(split).not_to_contain_text(AGREED)
    expect(split).to_contain_text("at least 20 percentage points")
    expect(split.locator("li").first).to_contain_text("spread")
    expect(page.locator("#spread-explained")).to_contain_text("the community that agrees most")
    they_split = page.locator(".card", has=page.get_by_role("heading", name="Where they split"))
    expect(they_split).not_to_contain_text(AGREED)


@pytest.mark.django_db(transaction=True)
def test_map_of_twenty(journey):
    c = crowd(20, noise=0.05)
    journey.login(c.viewer)
    _read_the_map(journey, c, name="map-20")


@pytest.mark.django_db(transaction=True)
def test_anonymous_map_of_twenty_names_nobody(journey):
    c = crowd(20, anonymous=True, noise=0.3)
    journey.login(c.viewer)
    _read_the_map(journey, c, name="map-20-anonymous", anonymous=True)


@pytest.mark.django_db(transaction=True)
def test_map_of_two_thousand(journey):
    c = crowd(2000, noise=0.15)
    journey.login(c.viewer)
    _read_the_map(journey, c, name="map-2000")
