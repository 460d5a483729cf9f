"""How a draft is shown: its Markdown as safe HTML, and what changed between two versions, word by word.

Pure functions over text (no database). The Markdown renderer is markdown-it-py in CommonMark mode
with raw HTML switched off, and nh3 cleans what it produced, so a draft can never inject markup.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_MD = MarkdownIt("commonmark", {"html": False})
_HEADING = {"heading_open", "heading_close"}


def split_paragraphs(text: str) -> list[str]:
    """The draft's paragraphs: blocks of text between blank lines, stripped, empty ones left out."""
    return [p.strip() for p in (text or "").replace("\r\n", "\n").split("\n\n") if p.strip()]


def markdown_html(text: str, *, heading_shift: int = 0) -> SafeString:
    """Markdown as sanitised HTML. `heading_shift` moves headings down (1: `#` becomes <h2>) so a
    draft's own headings sit under the page's, never above them; <h6> is the deepest."""
    tokens = _MD.parse(text or "")
    if heading_shift:
        for token in tokens:
            if token.type in _HEADING:
                token.tag = f"h{min(6, int(token.tag[1]) + heading_shift)}"
    html = _MD.renderer.render(tokens, _MD.options, {})
    return mark_safe(nh3.clean(html))  # noqa: S308 - sanitised just above


# --------------------------------------------------------------------------- word-level comparison

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Part:
    """A piece of a changed paragraph: `kind` is "same", "removed" or "added"."""

    kind: str
    text: str


@dataclass(frozen=True)
class Block:
    """One step of a comparison, in the order of the new text.

    kind "same": `count` paragraphs unchanged (not repeated); "added" / "removed": a whole
    paragraph (`text`); "changed": a paragraph edited in place, as `parts`.
    """

    kind: str
    count: int = 0
    text: str = ""
    parts: tuple[Part, ...] = ()


def word_changes(old: str, new: str) -> list[Part]:
    """What changed between two pieces of text, word by word (punctuation counts as a word).

    Runs of changes are gathered into one removal then one addition, so "the central desk" ->
    "a local team" reads as removed "the central desk", added "a local team", not as five
    interleaved fragments around the matching spaces."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    raw: list[Part] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            raw.append(Part("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            raw.append(Part("removed", "".join(a[i1:i2])))
        if j2 > j1:
            raw.append(Part("added", "".join(b[j1:j2])))
    # What is left alike between two changes (spaces, punctuation, one short word such as "the")
    # belongs to the change around it: "(Write the answer here.)" -> "We support the rule." reads
    # as one removal and one addition, not as fragments around the shared "the".
    for k in range(1, len(raw) - 1):
        between_changes = raw[k - 1].kind != "same" and raw[k + 1].kind != "same"
        if raw[k].kind == "same" and between_changes and len(_WORD.findall(raw[k].text)) <= 1:
            raw[k] = Part("changed-space", raw[k].text)
    out: list[Part] = []
    run: list[Part] = []

    def flush():
        removed = "".join(p.text for p in run if p.kind in ("removed", "changed-space"))
        added = "".join(p.text for p in run if p.kind in ("added", "changed-space"))
        run.clear()
        if removed.strip():
            out.append(Part("removed", removed))
        if added.strip():
            out.append(Part("added", added))
        elif added:  # only the spacing changed: show the new spacing as it is
            _append_same(out, added)

    for part in raw:
        if part.kind == "same":
            flush()
            _append_same(out, part.text)
        else:
            run.append(part)
    flush()
    return out


def _append_same(out: list[Part], text: str) -> None:
    if out and out[-1].kind == "same":
        out[-1] = Part("same", out[-1].text + text)
    else:
        out.append(Part("same", text))


def compare(old: str, new: str) -> list[Block]:
    """A readable comparison of two versions: unchanged paragraphs counted, added and removed ones
    whole, and paragraphs edited in place compared word by word."""
    a, b = split_paragraphs(old), split_paragraphs(new)
    blocks: list[Block] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            blocks.append(Block("same", count=i2 - i1))
            continue
        olds, news = a[i1:i2], b[j1:j2]
        for k in range(max(len(olds), len(news))):
            if k < len(olds) and k < len(news):
                blocks.append(Block("changed", parts=tuple(word_changes(olds[k], news[k]))))
            elif k < len(news):
                blocks.append(Block("added", text=news[k]))
            else:
                blocks.append(Block("removed", text=olds[k]))
    return blocks
