"""The engines' words, in the reader's language.

Engines never import Django (docs/ARCHITECTURE.md), so they cannot translate. Where their words
reach a person, they hand over the pieces instead (`PolisFormatError.template` and `.params`), and
this module holds each pattern's translation: the deliberation catalogue carries them. A pattern
missing here is shown in English, as the engine wrote it.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from convene.engines.polis_io import PolisFormatError

# Every pattern `convene.engines.polis_io` raises that an upload can reach (folder reading is
# the command line's only).
POLIS_ERRORS = {
    "{file}: not UTF-8 text": _("{file}: not UTF-8 text"),
    "{file}: file is empty (no header row)": _("{file}: file is empty (no header row)"),
    "{file}: not a readable CSV file ({reason})": _("{file}: not a readable CSV file ({reason})"),
    "{file}: missing column(s) {columns}": _("{file}: missing column(s) {columns}"),
    "{file}: malformed CSV ({reason})": _("{file}: malformed CSV ({reason})"),
    "{file} line {line}: too few fields": _("{file} line {line}: too few fields"),
    "{file} line {line}: {column} must be an integer, got {value}": _(
        "{file} line {line}: {column} must be an integer, got {value}"
    ),
    "{file} line {line}: unknown vote value {value} (expected 1, -1 or 0)": _(
        "{file} line {line}: unknown vote value {value} (expected 1, -1 or 0)"
    ),
    "the export: comments.csv is missing": _("the export: comments.csv is missing"),
    "the export: needs votes.csv or participants-votes.csv": _("the export: needs votes.csv or participants-votes.csv"),
    "the upload is not a readable zip file": _("the upload is not a readable zip file"),
    "the zip holds {count} files; a Pol.is export has at most 3": _(
        "the zip holds {count} files; a Pol.is export has at most 3"
    ),
    "the zip holds {file} more than once": _("the zip holds {file} more than once"),
    "{file} in the zip is encrypted": _("{file} in the zip is encrypted"),
    "{file} is too large ({size} bytes unpacked)": _("{file} is too large ({size} bytes unpacked)"),
    "{file} is compressed suspiciously well: refused as a possible zip bomb": _(
        "{file} is compressed suspiciously well: refused as a possible zip bomb"
    ),
    "{file} in the zip cannot be read ({reason})": _("{file} in the zip cannot be read ({reason})"),
    "{file} is too large once unpacked": _("{file} is too large once unpacked"),
    "the zip holds none of comments.csv, votes.csv, participants-votes.csv": _(
        "the zip holds none of comments.csv, votes.csv, participants-votes.csv"
    ),
    "the statements CSV is not UTF-8 text": _("the statements CSV is not UTF-8 text"),
    "the statements CSV is not readable ({reason})": _("the statements CSV is not readable ({reason})"),
}


def polis_error_text(exc: PolisFormatError) -> str:
    """The engine's refusal in the active language (English when the pattern is not known here)."""
    pattern = POLIS_ERRORS.get(getattr(exc, "template", None))
    if pattern is None:
        return str(exc)
    return str(pattern).format(**exc.params)
