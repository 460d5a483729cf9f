"""Find template text a person would read that is not inside a translation tag.

Django's template Lexer splits a template into text, variables, tags and comments. Everything that
is not literal text (and every {% blocktranslate %} or {% comment %} block) becomes a placeholder,
then the HTML is read as a whole: words of two or more Latin letters left in element text, and
literal Latin-letter values of attributes people read (aria-label, title, alt, placeholder, an
input button's value), are reported. Brand and technical words in ALLOW are fine. Used by
tests/core/test_untranslated.py over every template under src/convene (docs/i18n.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.template.base import Lexer, TokenType

ALLOW = frozenset(
    {
        "Convene",
        "Pol.is",
        "API",
        "CSV",
        "PDF",
        "DOCX",
        "ICS",
        "SSO",
        "SAML",
        "OIDC",
        "TOTP",
        "WebAuthn",
        "Markdown",
        "JSON",
        "XLSX",
        "RSS",
        "ZIP",
        "OK",
    }
)
OPEN_BLOCKS = {"blocktranslate", "blocktrans", "comment"}
CLOSE_BLOCKS = {"endblocktranslate", "endblocktrans", "endcomment"}
HOLE = "\x00"  # where a variable, a tag or a translated block was
READ_ATTRS = ("aria-label", "title", "alt", "placeholder")
ATTR = re.compile(r"""\s([a-zA-Z-]+)\s*=\s*("[^"]*"|'[^']*')""")
TAG = re.compile(r"<[a-zA-Z!/][^>]*>", flags=re.S)
WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")
SKIP_ELEMENTS = re.compile(r"<(script|style|code|pre)\b.*?</\1\s*>|<!--.*?-->", flags=re.S | re.I)


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text}"


def _flatten(source: str) -> tuple[str, list[int]]:
    """The template's literal text with a HOLE for everything else, and each character's line."""
    out: list[str] = []
    lines: list[int] = []
    depth = 0
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if name in OPEN_BLOCKS:
                depth += 1
            elif name in CLOSE_BLOCKS:
                depth -= 1
            text = HOLE
        elif token.token_type == TokenType.TEXT and depth == 0:
            text = token.contents
        else:
            text = HOLE
        line = token.lineno
        for char in text:
            out.append(char)
            lines.append(line)
            if char == "\n":
                line += 1
    return "".join(out), lines


def _words(text: str) -> list[str]:
    text = re.sub(r"&[a-zA-Z]+;|&#\d+;", " ", text)
    return [w for w in WORD.findall(text) if w not in ALLOW]


def scan_text(source: str, path: Path = Path("<template>")) -> list[Finding]:
    flat, lines = _flatten(source)
    # Script, style, code and comments are not read as interface text: blank them, keeping offsets.
    flat = SKIP_ELEMENTS.sub(lambda m: " " * len(m.group(0)), flat)
    findings: list[Finding] = []
    for tag in TAG.finditer(flat):
        body = tag.group(0)
        name = re.match(r"<\s*/?\s*([a-zA-Z0-9-]+)", body)
        element = name.group(1).lower() if name else ""
        # An <input> button shows its value; a <button>'s value is only sent (name=decision value=approve).
        shown_value = element == "input" and re.search(r"""type\s*=\s*["']?(submit|button|reset)""", body, re.I)
        for attr in ATTR.finditer(body):
            key, value = attr.group(1).lower(), attr.group(2)[1:-1]
            readable = key in READ_ATTRS or (key == "value" and bool(shown_value))
            if readable and HOLE not in value and _words(value):
                findings.append(Finding(path, lines[tag.start() + attr.start()], f'{key}="{value}"'))
    text_only = TAG.sub(lambda m: " " * len(m.group(0)), flat)
    for match in re.finditer(r"[^<>\x00]+", text_only):
        words = _words(match.group(0))
        if words:
            first = match.start() + match.group(0).index(words[0])
            findings.append(Finding(path, lines[first], " ".join(words)[:100]))
    return findings


def scan(path: Path) -> list[Finding]:
    return scan_text(path.read_text(encoding="utf-8"), path)


def templates(root: Path) -> list[Path]:
    found = [p for pattern in ("*.html", "*.txt") for p in root.rglob(pattern)]
    return sorted(p for p in found if "templates" in p.parts)
