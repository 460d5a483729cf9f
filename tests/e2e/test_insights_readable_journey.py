"""Issue 18.17 in the browser: over the demo data, a coordinator reads the insight pages with
readable labels (never "archive:psychiatry-2026-11"), tables that fit their cards at desktop and
the screen at 390 px, and a "what this means" under each figure. axe after every page."""

from __future__ import annotations

import re

import pytest

from convene.accounts.models import User
from convene.communities import demo as communities_demo
from convene.insights import demo as insights_demo
from convene.insights.periods import last_months

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
RAW_ID = re.compile(r"\b(archive|session|response|project):[\w-]+")


def _read(j, path: str, *, width: int) -> str:
    """Open the page at `width`: nothing wider than the screen, no raw context id in the text."""
    j.page.set_viewport_size(PHONE if width == 390 else DESKTOP)
    j.go(path)
    assert j.page.evaluate("document.scrollingElement.scrollWidth") <= width, path
    text = j.page.locator("main").inner_text()
    assert not RAW_ID.search(text), (path, RAW_ID.search(text).group(0))
    return text


def _card_tables_fit(j) -> list[str]:
    """Captions of tables inside a card that are wider than the card's table box."""
    return j.page.evaluate(
        """() => [...document.querySelectorAll('.card table')]
            .filter(t => t.scrollWidth > (t.closest('.table-wrap') || t.parentElement).clientWidth + 1)
            .map(t => (t.querySelector('caption') || {}).innerText || t.id)"""
    )


@pytest.mark.django_db(transaction=True)
def test_insights_read_in_words_and_fit(journey):
    j = journey
    j.page.set_default_timeout(30_000)
    communities_demo.load()
    insights_demo.load()
    j.login(User.objects.get(email="coordinator@example.org"))
    month = last_months(12)[-2]  # last month: its archived meeting has happened
    archive = f"archive:psychiatry-{month.label}"
    title = f"Monthly meeting, {month.start:%B %Y}"

    for width in (1280, 390):
        text = _read(j, "/c/psychiatry/insights/", width=width)
        assert text.count("What this means:") >= 8
        # every profile card and the trend cards; the shared-attribute trend may scroll in its own box
        assert [c for c in _card_tables_fit(j) if "shared attributes" not in c] == []
        if width == 1280:
            assert _card_tables_fit(j) == []
        assert j.page.locator("#trend-voice-table tbody tr").count() == 12

        text = _read(j, "/c/psychiatry/insights/contexts/", width=width)
        assert title in text and "Meeting before Convene" in text
        j.click(j.page.get_by_role("link", name=title))
        assert j.page.url.endswith(f"/contexts/{archive}/")
        assert j.page.get_by_role("heading", level=1).inner_text() == title
        assert "What this means:" in j.page.locator("main").inner_text()
        assert j.page.evaluate("document.scrollingElement.scrollWidth") <= width

        text = _read(j, "/c/psychiatry/insights/opportunities/", width=width)
        assert "What this means:" in text
