"""A post's body as safe HTML, and the mentions in it.

A mention is written `@[Display Name](user:ID)` (the form the autocomplete inserts): unambiguous
whatever the name. Rendering turns each into plain `@Display Name` text before the Markdown is
rendered (by `deliberation.rendering.markdown_html`: markdown-it without raw HTML, then nh3), so
neither the name nor the link can carry markup.
"""

from __future__ import annotations

import re

from django.utils.safestring import SafeString

from convene.deliberation.rendering import markdown_html

MENTION = re.compile(r"@\[([^\[\]\n]{1,80})\]\(user:(\d{1,18})\)")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~&])")


def mentioned_ids(body: str) -> set[int]:
    return {int(m.group(2)) for m in MENTION.finditer(body or "")}


def _plain(match: re.Match) -> str:
    return "@" + _MD_SPECIAL.sub(r"\\\1", match.group(1))


def body_html(body: str) -> SafeString:
    # Headings inside a post sit below the page's <h1> and the post's <h2>.
    return markdown_html(MENTION.sub(_plain, body or ""), heading_shift=2)
