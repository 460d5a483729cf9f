"""Small constants several test modules share (test modules never import from each other)."""

from __future__ import annotations

# HTML elements without an end tag: a parser keeping a stack of open elements must not push them.
VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)

# The default cache pointed at a port where no Redis listens: the fail-open backend must carry on.
REDIS_DOWN = {"default": {"BACKEND": "convene.core.cache.FailOpenRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}

# A browser asking for Simplified Chinese: LocaleMiddleware picks the page's language from it.
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def check_words(html: str, chinese: list[str], english: list[str]) -> None:
    """Every Chinese text is on the page and none of the English originals is (translation tests)."""
    for text in chinese:
        assert text in html, text
    for text in english:
        assert text not in html, text
