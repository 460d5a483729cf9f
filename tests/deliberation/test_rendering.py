"""How a draft is shown: Markdown as safe HTML, and word-level comparisons of versions."""

from __future__ import annotations

from convene.deliberation.rendering import Part, compare, markdown_html, split_paragraphs, word_changes


def test_markdown_becomes_formatted_html():
    html = markdown_html("## What we agree on\n\n- **Bold** and _italic_\n- [a link](https://example.org)\n\n> quoted")
    assert "<h2>What we agree on</h2>" in html
    assert "<strong>Bold</strong>" in html and "<em>italic</em>" in html
    assert '<a href="https://example.org"' in html and "<blockquote>" in html
    assert "##" not in html and "**" not in html


def test_raw_html_and_scripts_never_pass():
    html = markdown_html('<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n<img src=x onerror="alert(1)">')
    assert "<script" not in html and "<img" not in html and "href" not in html  # shown as text, never as markup
    assert "&lt;script&gt;" in html


def test_headings_can_be_moved_under_the_page_headings():
    html = markdown_html("# Title\n\n## Part\n\n###### Deep", heading_shift=2)
    assert "<h3>Title</h3>" in html and "<h4>Part</h4>" in html and "<h6>Deep</h6>" in html
    assert "<h1>" not in html and "<h2>" not in html


def test_word_changes_read_as_one_removal_and_one_addition():
    parts = word_changes("We oppose the central desk.", "We support a local team.")
    assert parts == [
        Part("same", "We "),
        Part("removed", "oppose the central desk"),
        Part("added", "support a local team"),
        Part("same", "."),
    ]


def test_word_changes_keep_every_word_of_both_texts():
    old, new = "Letters reach the team within 24 hours, by post.", "Letters reach the community team within 24 hours."
    parts = word_changes(old, new)
    assert "".join(p.text for p in parts if p.kind != "added") == old
    assert "".join(p.text for p in parts if p.kind != "removed") == new
    assert Part("added", " community") in parts and Part("removed", ", by post") in parts


def test_one_shared_short_word_between_changes_does_not_split_them():
    parts = word_changes("(Write the community's answer here.)", "We support the rule with a call.")
    assert parts == [
        Part("removed", "(Write the community's answer here.)"),
        Part("added", "We support the rule with a call."),
    ]


def test_a_change_of_spacing_only_is_not_shown_as_a_change():
    assert word_changes("foo bar", "foo\nbar") == [Part("same", "foo\nbar")]


def test_compare_counts_unchanged_paragraphs_and_keeps_added_and_removed_whole():
    old = "# Title\n\nFirst part stays.\n\nA b c.\n\nGone paragraph."
    new = "# Title\n\nFirst part stays.\n\nA x c.\n\nGone paragraph.\n\nA new closing paragraph."
    blocks = compare(old, new)
    assert [b.kind for b in blocks] == ["same", "changed", "same", "added"]
    assert blocks[0].count == 2 and blocks[2].count == 1
    assert blocks[1].parts == (Part("same", "A "), Part("removed", "b"), Part("added", "x"), Part("same", " c."))
    assert blocks[3].text == "A new closing paragraph."
    assert [b.kind for b in compare("One.\n\nTwo.", "One.")] == ["same", "removed"]


def test_split_paragraphs_ignores_blank_runs_and_windows_line_ends():
    assert split_paragraphs("a\r\n\r\nb\n\n\n\nc\n") == ["a", "b", "c"]
    assert split_paragraphs("") == []
