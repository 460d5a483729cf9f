"""core.text.clean_text: the one rule services apply to free-text fields."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from convene.core.errors import InvalidInput
from convene.core.text import clean_text, day_text


def test_strips_and_treats_none_as_empty():
    assert clean_text("  a note \n", field="note", limit=10) == "a note"
    assert clean_text(None, field="note", limit=10) == ""


def test_keeps_inner_text_exactly():
    text = "مرحبا 👩🏽‍💻 e\u0301  two  spaces"
    assert clean_text(text, field="text", limit=100) == text


def test_required_field_names_the_field_in_words():
    with pytest.raises(InvalidInput) as exc:
        clean_text("   ", field="team_name", limit=10, required=True)
    assert exc.value.message == "Team name is required."
    assert exc.value.field == "team_name"


def test_label_replaces_the_field_name():
    with pytest.raises(InvalidInput) as exc:
        clean_text("", field="process", limit=10, required=True, label="The process today")
    assert exc.value.message == "The process today is required."


def test_too_long_counts_characters_after_stripping():
    assert clean_text(" " + "x" * 5 + " ", field="title", limit=5) == "xxxxx"
    with pytest.raises(InvalidInput) as exc:
        clean_text("x" * 6, field="title", limit=5)
    assert exc.value.message == "Title is longer than 5 characters (6)."
    assert exc.value.field == "title"


def test_a_day_is_written_in_the_readers_language():
    """Not strftime, whose month names are English whatever the reader reads (issue 20)."""
    day = datetime.date(2026, 12, 5)
    assert day_text(day) == "5 December 2026"
    with translation.override("zh-hans"):
        assert day_text(day) == "2026年12月5日"
