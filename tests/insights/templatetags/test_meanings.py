"""Each insight figure has a short "what this means", and narrow tables stay narrow (issue 18.17)."""

from __future__ import annotations

from django.test import Client

from convene.insights.templatetags.insights_tags import (
    band_meaning,
    breakable,
    gini_meaning,
    idx_cell,
    short_label,
)


def test_meanings_follow_the_figures():
    assert "one group" in band_meaning("one-sided")
    assert "several groups" in band_meaning("varied")
    assert "Too few people" in band_meaning(None)
    assert gini_meaning(0.1) == "Contributions are shared fairly evenly."
    assert gini_meaning(0.6, "opportunities") == "A few people have most of the opportunities."
    assert gini_meaning(0.9).startswith("Almost all contributions")
    assert gini_meaning(None).startswith("Not shown")


def test_narrow_cells():
    assert idx_cell(0.456) == "0.46"
    assert "not shown" in idx_cell(None) and "—" in idx_cell(None)
    assert short_label("Background (e.g. ethnicity)") == "Background"
    assert breakable("Caring responsibilities") == "Caring responsi&shy;bilities"
    assert breakable("<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"


def test_dashboard_explains_each_figure_and_splits_the_trend(eq):
    client = Client()
    client.force_login(eq.coordinator)
    html = client.get("/c/equity/insights/").content.decode()
    assert html.count("What this means:") >= 8  # every breakdown, voice, opportunities, each trend chart
    for table in ("trend-profile-table", "trend-voice-table", "trend-volume-table"):
        assert f'id="{table}"' in html
    assert 'id="trend-table"' not in html
