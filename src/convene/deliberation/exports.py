"""The delivered response as Markdown, DOCX, PDF, JSON, and the conversation in Pol.is CSV format.

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

from django.utils.translation import gettext as _

from convene.core.text import day_text
from convene.engines.polis_io import write_polis
from convene.privacy.disclosure import group_sizes

from . import documents
from .models import JointResponse, MinorityView, Participant, Statement, StatementState, Vote
from .opinion_map import map_read
from .rendering import markdown_html
from .selectors import HIDDEN_NOTE, endorsement_summary, pseudonym_order

DAY_MS = 86_400_000
STANCE_COLUMNS = ("endorse", "reservations", "object", "abstain")
MD_SPECIAL = set("\\`*_[]<>|~&")


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


def md_escape(value) -> str:
    """Plain text (a minority view, a reason, a community's name) as Markdown that shows it as
    typed: one line, no emphasis, link, table cell or HTML made out of its characters."""
    text = " ".join(str(value).split())
    return "".join("\\" + ch if ch in MD_SPECIAL else ch for ch in text)


def as_markdown(response: JointResponse) -> str:
    doc = document(response)
    lines = [doc["text"].strip(), "", "## " + _("Minority views"), ""]
    for m in doc["minority_views"]:
        held = f" ({md_escape(m['held_by'])})" if m["held_by"] else ""
        lines.append(f"- **{md_escape(m['view'])}**{held}")
        answer = md_escape(m["answer"]) if m["answer"] else _("(not yet answered)")
        lines.append("  - " + _("Answer: %(answer)s") % {"answer": answer})
    if not doc["minority_views"]:
        lines.append(_("None recorded."))
    e = doc["endorsement"]
    lines += ["", "## " + _("Endorsement"), "", _support(e), ""]
    headings = [_("Community"), _("Endorse"), _("With reservations"), _("Object"), _("Abstain")]
    lines += ["| " + " | ".join(md_escape(h) for h in headings) + " |", "|---|---|---|---|---|"]
    for row in e["by_community"]:
        cells = [md_escape(row["community"]), *(md_escape(_figure(row[c])) for c in STANCE_COLUMNS)]
        lines.append("| " + " | ".join(cells) + " |")
    if e["note"]:
        lines += ["", md_escape(e["note"])]
    if e["objections_and_reservations"]:
        lines += ["", "### " + _("Objections and reservations"), ""]
        lines += [
            f"- {md_escape(r['stance'])} ({md_escape(r['community'])}): {md_escape(r['reason'])}"
            for r in e["objections_and_reservations"]
        ]
    return "\n".join(lines) + "\n"


def _support(e: dict) -> str:
    if e["support_pct"] is None:
        note = str(HIDDEN_NOTE)
        return _("Support: %(note)s") % {"note": note[:1].lower() + note[1:]}
    return _("Support: %(pct)s%% of those who took a position.") % {"pct": e["support_pct"]}


def _subtitle(response: JointResponse) -> str:
    doc = document(response)
    parts = [doc["community"], doc["kind"]]
    if doc["requested_by"]:
        parts.append(_("asked by %(who)s") % {"who": doc["requested_by"]})
    if response.delivered_at:
        parts.append(_("delivered %(day)s") % {"day": day_text(response.delivered_at)})
    else:
        parts.append(_("draft, version %(number)s (not delivered yet)") % {"number": doc["version"]})
    return " · ".join(parts)


def as_docx(response: JointResponse) -> bytes:
    """The whole document (draft, minority views, endorsement) from one parse of its Markdown."""
    return documents.docx_bytes(documents.parse(as_markdown(response)), title=response.title)


def as_pdf(response: JointResponse) -> bytes:
    """The same structure as `as_docx`, printed to PDF (fpdf2, pure Python)."""
    return documents.pdf_bytes(
        documents.parse(as_markdown(response)), title=response.title, subtitle=_subtitle(response)
    )


def _export_groups(response: JointResponse, numbers: dict[int, int]) -> dict[int, int]:
    """participants-votes.csv's group-id: each exported participant's opinion group in the stored
    map. In anonymous responses only groups that may be described alone (`group_sizes`, as on the
    map page) are named; members of smaller groups get no group-id."""
    data = map_read(response)
    shown = None
    if response.anonymous:
        shown = set(group_sizes({g["id"]: g["size"] for g in data.get("opinion", {}).get("groups", [])}).shown)
    return {
        numbers[p["id"]]: p["group"]
        for p in data.get("participants", [])
        if p["id"] in numbers and p["group"] is not None and (shown is None or p["group"] in shown)
    }


def polis_zip(response: JointResponse) -> bytes:
    """votes.csv, comments.csv, participants-votes.csv written by the engine's exporter, zipped.

    Only accepted statements (rejected ones are for moderation only), marked `moderated = 1` as a
    Pol.is moderator's acceptance; `group-id` from the stored opinion map (`_export_groups`); timestamps in whole
    milliseconds, as Pol.is writes them (so `convene analyze` and the importer read it back).
    Non-anonymous: participants numbered 1..n in order of first participation, timestamps to the
    millisecond (Pol.is's own export). Anonymous: numbered in a keyed random order, votes listed
    by day then that number, timestamps cut to the day, no authors.
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

    def stamp(t) -> int:
        ms = int(t.timestamp() * 1000)
        return ms // DAY_MS * DAY_MS if anonymous else ms

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
            accepted=accepted,
            groups=_export_groups(response, numbers),
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
