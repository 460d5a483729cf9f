"""Contexts no app describes read as words, never as raw ids (issue 18.17)."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from convene.communities.ledgers import contribution_record
from convene.insights.selectors import context_label, context_summaries


def test_context_labels():
    assert context_label("archive:psychiatry-2026-11") == ("Monthly meeting, November 2026", "Meeting before Convene")
    assert context_label("archive:social-work-2025-01") == ("Monthly meeting, January 2025", "Meeting before Convene")
    assert context_label("archive:x") == ("Meeting before Convene x", "Meeting before Convene")
    assert context_label("archive:x-2026-13") == ("Meeting before Convene x 2026 13", "Meeting before Convene")
    assert context_label("session:900") == ("Session 900", "Session")
    assert context_label("field_trip:north-ward") == ("Field trip north ward", "Field trip")
    assert context_label("") == ("Other", "Other")


def test_pages_show_the_label_not_the_id(eq):
    when = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    for person in eq.people[:6]:
        contribution_record(
            community=eq.community, user=person, kind="turn", context="archive:equity-2026-11", occurred_at=when
        )
    [summary] = [s for s in context_summaries(eq.community, ["archive:equity-2026-11"])]
    assert (summary.title, summary.kind) == ("Monthly meeting, November 2026", "Meeting before Convene")
    client = Client()
    client.force_login(eq.coordinator)
    listing = client.get("/c/equity/insights/contexts/").content.decode()
    assert "Monthly meeting, November 2026" in listing and ">archive:equity-2026-11<" not in listing
    assert "What this means:" in listing
    page = client.get("/c/equity/insights/contexts/archive:equity-2026-11/").content.decode()
    assert "<h1><bdi>Monthly meeting, November 2026</bdi></h1>" in page
    assert "archive:equity" not in page.split("<main", 1)[1].replace('href="/c/equity/insights/contexts/archive:', "")
