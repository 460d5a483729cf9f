"""The delivered document as DOCX and PDF, both built from one parse of its Markdown.

`parse` turns the Markdown into markdown-it's token stream once; `docx_bytes` walks that stream
into python-docx paragraphs (real heading styles, bold and italic runs, hyperlinks, bulleted and
numbered lists that nest and restart, quotes, tables) and `pdf_bytes` renders the same tokens to
the HTML subset fpdf2 lays out (pure Python: no system library, so `make run` needs nothing from
the OS). The PDF embeds the vendored DejaVu Sans (static/vendor/fonts) so any Latin, Greek or
Cyrillic text prints; glyphs the font lacks (CJK) print as blanks rather than failing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import nh3
from docx import Document
from docx.enum.text import WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from fpdf import FPDF
from fpdf.fonts import FontFace, TextStyle
from markdown_it import MarkdownIt
from markdown_it.token import Token

from convene.core.text import xml_safe

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor" / "fonts"
FONT = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
FONT_FILES["BI"] = "DejaVuSans-BoldOblique.ttf"
SAFE_SCHEMES = {"http", "https", "mailto"}
PDF_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "strong", "b", "em", "i", "a", "ul", "ol", "li",
    "blockquote", "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


def _md() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def parse(markdown: str) -> list[Token]:
    """The document's structure: markdown-it's block tokens (inline children inside)."""
    return _md().parse(xml_safe(markdown or ""))


def _safe_href(href: str) -> str | None:
    scheme = href.split(":", 1)[0].lower() if ":" in href else ""
    return href if scheme in SAFE_SCHEMES else None


# --------------------------------------------------------------------------- DOCX


@dataclass
class _Lists:
    """Open lists, innermost last: ('bullet' | 'ordered', numbering id for ordered ones)."""

    stack: list[tuple[str, int | None]] = field(default_factory=list)


def _style(kind: str, depth: int) -> str:
    base = "List Bullet" if kind == "bullet" else "List Number"
    return base if depth <= 1 else f"{base} {min(depth, 3)}"


def _restarted_numbering(document, style_name: str) -> int | None:
    """A fresh `w:num` on the abstract numbering of `style_name`, starting at 1 (so each numbered
    list counts from 1 instead of continuing the previous one). None if the style has none."""
    style_el = document.styles[style_name].element
    num_ids = style_el.xpath("./w:pPr/w:numPr/w:numId/@w:val")
    if not num_ids:
        return None
    numbering = document.part.numbering_part.element
    abstract = numbering.xpath(f"./w:num[@w:numId='{num_ids[0]}']/w:abstractNumId/@w:val")
    if not abstract:
        return None
    ilvl = style_el.xpath("./w:pPr/w:numPr/w:ilvl/@w:val") or ["0"]
    new_id = max(int(n) for n in numbering.xpath("./w:num/@w:numId")) + 1
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), str(new_id))
    ref = OxmlElement("w:abstractNumId")
    ref.set(qn("w:val"), abstract[0])
    num.append(ref)
    override = OxmlElement("w:lvlOverride")
    override.set(qn("w:ilvl"), ilvl[0])
    start = OxmlElement("w:startOverride")
    start.set(qn("w:val"), "1")
    override.append(start)
    num.append(override)
    numbering.append(num)
    return new_id


def _number_paragraph(paragraph, num_id: int) -> None:
    p = paragraph.paragraph_format.element  # the w:p this paragraph wraps
    num_pr = p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_numId().val = num_id


def _add_link(paragraph, href: str, text: str, *, bold: bool, italic: bool) -> None:
    run = paragraph.add_run(text)
    run.bold, run.italic, run.font.underline = bold or None, italic or None, True
    run.font.color.rgb = RGBColor(0x1A, 0x4E, 0x8A)
    rid = paragraph.part.relate_to(href, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    run.element.addprevious(link)
    link.append(run.element)


def _inline(paragraph, token: Token) -> None:
    bold = italic = 0
    href: str | None = None
    for child in token.children or []:
        kind = child.type
        if kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic -= 1
        elif kind == "link_open":
            href = _safe_href(str(child.attrGet("href") or ""))
        elif kind == "link_close":
            href = None
        elif kind in ("text", "code_inline", "image"):
            text = child.content
            if href:
                _add_link(paragraph, href, text, bold=bold > 0, italic=italic > 0)
                continue
            run = paragraph.add_run(text)
            run.bold, run.italic = (bold > 0) or None, (italic > 0) or None
            if kind == "code_inline":
                run.font.name = "Courier New"
        elif kind == "softbreak":
            paragraph.add_run(" ")
        elif kind == "hardbreak":
            paragraph.add_run().add_break(WD_BREAK.LINE)


def _table(document, tokens: list[Token], start: int) -> int:
    """Add the table that opens at tokens[start]; the index after its close."""
    rows: list[tuple[bool, list[Token]]] = []
    i = start + 1
    head = False
    while tokens[i].type != "table_close":
        t = tokens[i]
        if t.type == "thead_open":
            head = True
        elif t.type == "thead_close":
            head = False
        elif t.type == "tr_open":
            rows.append((head, []))
        elif t.type == "inline":
            rows[-1][1].append(t)
        i += 1
    width = max((len(cells) for _, cells in rows), default=0)
    if width:
        table = document.add_table(rows=0, cols=width)
        table.style = "Table Grid"
        for is_head, cells in rows:
            row = table.add_row().cells
            for cell, token in zip(row, cells, strict=False):
                paragraph = cell.paragraphs[0]
                _inline(paragraph, token)
                if is_head:
                    for run in paragraph.runs:
                        run.bold = True
    return i + 1


def docx_bytes(tokens: list[Token], *, title: str) -> bytes:
    document = Document()
    document.core_properties.title = xml_safe(title)[:255]
    lists = _Lists()
    quote = 0
    item_first_paragraph = False
    i = 0
    while i < len(tokens):
        t = tokens[i]
        kind = t.type
        if kind == "heading_open":
            level = min(int(t.tag[1]), 4)
            _inline(document.add_heading("", level=level), tokens[i + 1])
            i += 3
            continue
        if kind in ("bullet_list_open", "ordered_list_open"):
            style = "bullet" if kind == "bullet_list_open" else "ordered"
            num = _restarted_numbering(document, _style(style, len(lists.stack) + 1)) if style == "ordered" else None
            lists.stack.append((style, num))
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.stack.pop()
        elif kind == "list_item_open":
            item_first_paragraph = True
        elif kind == "blockquote_open":
            quote += 1
        elif kind == "blockquote_close":
            quote -= 1
        elif kind == "paragraph_open":
            if lists.stack and item_first_paragraph:
                style, num = lists.stack[-1]
                paragraph = document.add_paragraph(style=_style(style, len(lists.stack)))
                if num is not None:
                    _number_paragraph(paragraph, num)
            elif lists.stack:
                paragraph = document.add_paragraph(style=f"List Continue{'' if len(lists.stack) == 1 else ' 2'}")
            elif quote:
                paragraph = document.add_paragraph(style="Quote")
            else:
                paragraph = document.add_paragraph()
            item_first_paragraph = False
            _inline(paragraph, tokens[i + 1])
            i += 3
            continue
        elif kind in ("fence", "code_block"):
            run = document.add_paragraph().add_run(t.content.rstrip("\n"))
            run.font.name, run.font.size = "Courier New", Pt(9)
        elif kind == "table_open":
            i = _table(document, tokens, i)
            continue
        i += 1
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- PDF


class _Pdf(FPDF):
    def footer(self):
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 8, f"{self.page_no()}/{{nb}}", align="C")


def pdf_bytes(tokens: list[Token], *, title: str, subtitle: str = "") -> bytes:
    """The same tokens as a PDF: markdown-it renders them to HTML (no raw HTML passes: the parser
    escapes it), nh3 keeps the tags fpdf2 lays out, fpdf2 writes the pages."""
    md = _md()
    html = nh3.clean(
        md.renderer.render(tokens, md.options, {}),
        tags=PDF_TAGS,
        attributes={"a": {"href"}, "ol": {"start"}},
        url_schemes=SAFE_SCHEMES,
        link_rel=None,
    )
    pdf = _Pdf(format="A4")
    pdf.set_title(xml_safe(title))
    pdf.set_creator("Convene")
    pdf.set_auto_page_break(auto=True, margin=18)
    for style, name in FONT_FILES.items():
        pdf.add_font(FONT, style=style, fname=str(FONT_DIR / name))
    pdf.add_page()
    pdf.set_font(FONT, size=10)
    if subtitle:
        pdf.set_text_color(90, 90, 90)
        pdf.multi_cell(0, 5, subtitle)
        pdf.ln(2)
        pdf.set_text_color(0, 0, 0)
    pdf.write_html(
        html,
        font_family=FONT,
        ul_bullet_char="•",
        li_prefix_color=(40, 40, 40),
        table_line_separators=True,
        warn_on_tags_not_matching=False,
        tag_styles={
            **{
                f"h{level}": TextStyle(
                    font_family=FONT, font_style="B", font_size_pt=size, color=(25, 45, 75), t_margin=4, b_margin=1
                )
                for level, size in ((1, 18), (2, 14), (3, 12), (4, 11), (5, 10), (6, 10))
            },
            "blockquote": TextStyle(font_style="I", color=(70, 70, 70), l_margin=6, t_margin=2, b_margin=2),
            "a": FontFace(color=(26, 78, 138), emphasis="UNDERLINE"),
            "code": FontFace(family=FONT),
            "pre": FontFace(family=FONT),
        },
    )
    return bytes(pdf.output())
