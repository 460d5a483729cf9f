"""Delivery documents: DOCX and PDF built from the Markdown's structure, the PDF attached to the
delivery mail and offered on the tracking page; anonymous responses name nobody in them."""

from __future__ import annotations

import io

from django.core import mail
from django.test import Client
from docx import Document
from pypdf import PdfReader

from convene.deliberation import documents, exports, services
from convene.deliberation.models import Phase

from ..worlds import gathering_from_request
from .conftest import vote_pattern

STRUCTURED = """# Our answer

Intro with **bold words** and a [link to the rule](https://example.org/rule).

## Steps

1. First step
2. Second step
   - a detail under it
   - another detail

Between the lists.

1. Counting again
2. From one

- Plain bullet
"""


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def _docx(content: bytes):
    return Document(io.BytesIO(content))


def test_docx_follows_the_markdown_structure():
    doc = _docx(documents.docx_bytes(documents.parse(STRUCTURED), title="T"))
    rows = [(p.style.name, p.text) for p in doc.paragraphs]
    assert ("Heading 1", "Our answer") in rows and ("Heading 2", "Steps") in rows
    intro = next(p for p in doc.paragraphs if p.text.startswith("Intro"))
    assert [r.text for r in intro.runs if r.bold] == ["bold words"]
    assert "**" not in intro.text and "](" not in intro.text
    assert [h.address for h in intro.hyperlinks] == ["https://example.org/rule"]
    assert [h.text for h in intro.hyperlinks] == ["link to the rule"]
    assert ("List Number", "First step") in rows and ("List Number", "Second step") in rows
    assert ("List Bullet 2", "a detail under it") in rows and ("List Bullet", "Plain bullet") in rows
    assert not any(text.startswith(("1.", "- ", "#")) for _, text in rows)
    # the second numbered list restarts: its paragraphs use another numbering than the first's
    numbered = {p.text: p.paragraph_format.element.xpath("./w:pPr/w:numPr/w:numId/@w:val") for p in doc.paragraphs}
    assert numbered["First step"] == numbered["Second step"] != numbered["Counting again"] == numbered["From one"]


def test_docx_and_pdf_refuse_script_links_and_keep_text_as_typed():
    tokens = documents.parse("[click](javascript:alert(1)) and <b>raw</b> ünïcödé — “quotes”")
    doc = _docx(documents.docx_bytes(tokens, title="T"))
    assert not doc.paragraphs[0].hyperlinks
    text = _pdf_text(documents.pdf_bytes(tokens, title="T"))
    assert "<b>raw</b>" in text and "ünïcödé — “quotes”" in text


def test_pdf_carries_headings_lists_and_the_table(boundary):
    b = boundary
    response = b.open_response()
    s = b.statement(response, "A view.")
    services.vote_cast(response=response, user=b.members[0], statement_id=s.pk, value=1)
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    response.refresh_from_db()
    services.draft_save(response=response, user=b.coordinator, text=STRUCTURED, base_version=response.draft_version)
    services.minority_view_add(response=response, actor=b.members[1], text="Keep *the* [old] rule | please")
    response.refresh_from_db()
    pdf = exports.as_pdf(response)
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title == response.title
    text = _pdf_text(pdf)
    for expected in ("Our answer", "Steps", "1. First step", "2. Second step", "a detail under it", "Minority views"):
        assert expected in text
    assert "Keep *the* [old] rule | please" in text  # typed text shows as typed, not as Markdown
    assert "Community" in text and "Psychiatry" in text  # the endorsement table
    assert "**" not in text and "](" not in text
    doc = _docx(exports.as_docx(response))
    assert any(p.text == "Keep *the* [old] rule | please" for p in doc.paragraphs)
    assert doc.tables and doc.tables[0].rows[0].cells[0].text == "Community"


def test_final_page_offers_the_pdf(boundary):
    b = boundary
    response = b.open_response()
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    c = Client()
    c.force_login(b.members[0])
    page = c.get(f"/responses/{response.pk}/final/")
    assert f'href="/responses/{response.pk}/final.pdf"'.encode() in page.content
    r = c.get(f"/responses/{response.pk}/final.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"] == f'attachment; filename="joint-response-{response.pk}.pdf"'
    assert c.get(f"/responses/{response.pk}/final.rtf").status_code == 404


def _delivered_request(b, *, anonymous: bool, django_capture_on_commit_callbacks):
    request, response, statements = gathering_from_request(b, anonymous=anonymous, question="What do you think?")
    vote_pattern(response, b, statements)
    services.response_transition(response=response, actor=b.coordinator, to=Phase.DRAFTING)
    response.refresh_from_db()
    services.minority_view_add(response=response, actor=b.members[3], text="Keep the old rule")
    services.response_transition(response=response, actor=b.coordinator, to=Phase.ENDORSEMENT)
    services.endorsement_cast(response=response, user=b.members[6], stance="object", reason="We object")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.response_transition(response=response, actor=b.coordinator, to=Phase.DELIVERED)
    request.refresh_from_db()
    return request


def test_delivery_mail_attaches_the_pdf_and_the_tracking_page_links_it(boundary, django_capture_on_commit_callbacks):
    b = boundary
    request = _delivered_request(
        b, anonymous=False, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks
    )
    sent = [m for m in mail.outbox if m.to == ["ada@board.example"]]
    assert len(sent) == 1 and "attached as a PDF" in sent[0].body
    (name, content, mimetype), *_ = sent[0].attachments
    assert name.endswith(".pdf") and mimetype == "application/pdf"
    assert "Asked of us" in _pdf_text(content) and "Minority views" in _pdf_text(content)
    page = Client().get(f"/opinion-requests/{request.token}/")
    link = f"/opinion-requests/{request.token}/response.pdf"
    assert f'href="{link}"'.encode() in page.content
    r = Client().get(link)
    assert r.status_code == 200 and r.content.startswith(b"%PDF-")


def test_anonymous_documents_name_nobody(boundary, django_capture_on_commit_callbacks):
    b = boundary
    request = _delivered_request(
        b, anonymous=True, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks
    )
    people = [u.profile.display_name for u in b.members] + [u.email for u in b.members]
    (_, attached, _), *_ = next(m for m in mail.outbox if m.to == ["ada@board.example"]).attachments
    docx = Client().get(f"/opinion-requests/{request.token}/response.docx").content
    texts = {
        "mail pdf": _pdf_text(attached),
        "pdf": _pdf_text(Client().get(f"/opinion-requests/{request.token}/response.pdf").content),
        "docx": "\n".join(p.text for p in _docx(docx).paragraphs),
    }
    assert "Keep the old rule" in texts["pdf"] and "We object" in texts["docx"]
    assert not [(where, who) for where, text in texts.items() for who in people if who in text]
