"""The delivered response as Markdown, DOCX, JSON, and the conversation in Pol.is CSV format.

Delivered documents never name individuals: objections and reservations are listed by community
(in anonymous responses, communities of fewer than 5 are not described alone: see selectors).
Pol.is exports never carry user ids or rejected statements. In anonymous responses participants are
numbered in a keyed random order (never the order in which they took part), votes are listed in
that order, and timestamps are cut to the day.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from docx import Document

from convene.core.text import xml_safe
from convene.engines.polis_io import write_polis

from .models import JointResponse, MinorityView, Participant, Statement, StatementState, Vote
from .rendering import markdown_html
from .selectors import HIDDEN_NOTE, endorsement_summary, pseudonym_order

DAY_MS = 86_400_000
STANCE_COLUMNS = ("endorse", "reservations", "object", "abstain")


def _figure(value) -> str:
    """A table cell: the figure, or "< 5" when it is hidden to protect small groups."""
    return "< 5" if value is None else str(value)


def document(response: JointResponse) -> dict:
    summary = endorsement_summary(response)
    request = getattr(response, "opinion_request", None)
    return {
        "title": response.title,
        "kind": response.get_kind_display(),
        "community": response.community.name,
        "question": response.question,
        "requested_by": f"{request.requester_name}, {request.organisation}" if request else None,
        "state": response.state,
        "version": response.draft_version,
        "delivered_at": response.delivered_at.isoformat() if response.delivered_at else None,
        "text": response.draft_text,
        "minority_views": [
            {"view": m.text, "held_by": m.held_by, "answer": m.answer}
            for m in MinorityView.objects.filter(response=response)
        ],
        "endorsement": {
            "support_pct": summary["support_pct"],
            "note": summary["note"],
            "totals": summary["totals"],
            "by_community": summary["by_community"],
            "objections_and_reservations": [
                {"stance": r["stance"], "community": r["community"], "reason": r["reason"]} for r in summary["reasons"]
            ],
        },
    }


def as_markdown(response: JointResponse) -> str:
    doc = document(response)
    lines = [doc["text"].strip(), "", "## Minority views", ""]
    for m in doc["minority_views"]:
        held = f" ({m['held_by']})" if m["held_by"] else ""
        lines.append(f"- **{m['view']}**{held}")
        lines.append(f"  - Answer: {m['answer'] or '(not yet answered)'}")
    if not doc["minority_views"]:
        lines.append("None recorded.")
    e = doc["endorsement"]
    lines += ["", "## Endorsement", "", _support(e), ""]
    lines += ["| Community | Endorse | With reservations | Object | Abstain |", "|---|---|---|---|---|"]
    for row in e["by_community"]:
        lines.append("| " + " | ".join([row["community"], *(_figure(row[c]) for c in STANCE_COLUMNS)]) + " |")
    if e["note"]:
        lines += ["", e["note"]]
    if e["objections_and_reservations"]:
        lines += ["", "### Objections and reservations", ""]
        lines += [f"- {r['stance']} ({r['community']}): {r['reason']}" for r in e["objections_and_reservations"]]
    return "\n".join(lines) + "\n"


def _support(e: dict) -> str:
    if e["support_pct"] is None:
        return f"Support: {HIDDEN_NOTE[0].lower()}{HIDDEN_NOTE[1:]}"
    return f"Support: {e['support_pct']}% of those who took a position."


def as_docx(response: JointResponse) -> bytes:
    doc = document(response)  # text stored before the edges refused control characters must not break the file
    out = Document()
    for block in doc["text"].split("\n"):
        line = block.rstrip()
        if line.startswith("### "):
            out.add_heading(xml_safe(line[4:]), level=3)
        elif line.startswith("## "):
            out.add_heading(xml_safe(line[3:]), level=2)
        elif line.startswith("# "):
            out.add_heading(xml_safe(line[2:]), level=1)
        elif line.startswith("- "):
            out.add_paragraph(xml_safe(line[2:]), style="List Bullet")
        elif line.startswith("> "):
            out.add_paragraph(xml_safe(line[2:]), style="Intense Quote")
        elif line:
            out.add_paragraph(xml_safe(line))
    out.add_heading("Minority views", level=2)
    for m in doc["minority_views"]:
        p = out.add_paragraph(style="List Bullet")
        p.add_run(xml_safe(m["view"])).bold = True
        if m["held_by"]:
            p.add_run(xml_safe(f" ({m['held_by']})"))
        out.add_paragraph(xml_safe(f"Answer: {m['answer'] or '(not yet answered)'}"))
    e = doc["endorsement"]
    out.add_heading("Endorsement", level=2)
    out.add_paragraph(_support(e))
    table = out.add_table(rows=1, cols=5)
    for cell, text in zip(
        table.rows[0].cells, ["Community", "Endorse", "With reservations", "Object", "Abstain"], strict=True
    ):
        cell.text = text
    for row in e["by_community"]:
        cells = table.add_row().cells
        for cell, value in zip(cells, [row["community"], *(_figure(row[c]) for c in STANCE_COLUMNS)], strict=True):
            cell.text = xml_safe(value)
    if e["note"]:
        out.add_paragraph(e["note"])
    for r in e["objections_and_reservations"]:
        out.add_paragraph(xml_safe(f"{r['stance']} ({r['community']}): {r['reason']}"), style="List Bullet")
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def polis_zip(response: JointResponse) -> bytes:
    """votes.csv, comments.csv, participants-votes.csv written by the engine's exporter, zipped.

    Only accepted statements (rejected ones are for moderation only). Non-anonymous: participants
    numbered 1..n in order of first participation, timestamps to the millisecond (Pol.is's own
    export). Anonymous: numbered in a keyed random order, votes listed by day then that number,
    timestamps cut to the day, no authors.
    """
    anonymous = response.anonymous
    ids = Participant.objects.filter(response=response).order_by("created_at", "id").values_list("id", flat=True)
    if anonymous:
        ids = pseudonym_order(response, ids, purpose="polis-export")
    numbers = {pid: n for n, pid in enumerate(ids, start=1)}
    statements = list(
        Statement.objects.filter(response=response, state=StatementState.ACCEPTED).values_list(
            "id", "text", "author_id", "created_at"
        )
    )
    accepted = {sid for sid, *_ in statements}

    def stamp(t) -> float:
        ms = t.timestamp() * 1000
        return float(ms // DAY_MS * DAY_MS) if anonymous else ms

    votes = [
        (numbers[p], s, v, stamp(t))
        for p, s, v, t in Vote.objects.filter(response=response, statement_id__in=accepted)
        .order_by("updated_at", "id")
        .values_list("participant_id", "statement_id", "value", "updated_at")
    ]
    if anonymous:
        votes.sort(key=lambda row: (row[3], row[0], row[1]))
    with tempfile.TemporaryDirectory() as tmp:
        write_polis(
            tmp,
            votes=votes,
            statements={sid: text for sid, text, *_ in statements},
            moderated_out=[],
            authors={} if anonymous else {sid: numbers[a] for sid, _, a, _ in statements if a in numbers},
            created={sid: stamp(c) for sid, _, _, c in statements},
        )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for name in ("comments.csv", "votes.csv", "participants-votes.csv"):
                zf.write(Path(tmp) / name, arcname=name)
    return buffer.getvalue()


def text_html(text: str):
    """The draft's Markdown as safe HTML (raw HTML in the source is not rendered, and nh3 cleans the rest)."""
    return markdown_html(text)
