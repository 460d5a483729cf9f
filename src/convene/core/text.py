"""Text rules at the edges: what user text may contain, and how short identity fields are normalised.

Free text (descriptions, statements, notes, drafts) is stored exactly as sent: every code point
of right-to-left scripts, emoji sequences, zero-width joiners and combining marks is kept. Only
characters that cannot be stored or exported are refused: NUL (PostgreSQL cannot store it), the
other C0 control characters except tab, line feed and carriage return (XML, and so DOCX, cannot
hold them), and lone surrogates (not Unicode text at all).

Short identity fields — a person's display name, a community's name, a requester's name — are
shown next to other people's text, where an invisible or direction-changing character can spoof
("Ann\u202egnirts" reads as a different name). `normalise_name` puts them in NFC, drops
bidirectional controls and invisible format characters other than ZWJ/ZWNJ (which emoji and
Indic/Persian scripts need), turns other whitespace into single spaces; a name left empty by
this is blank.

Services take every free-text field through `clean_text`: stripped, required or not, at most so
many characters, with the same wording of the error in every app.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from convene.core.errors import InvalidInput, Unprocessable

# U+202A..U+202E embeddings/overrides, U+2066..U+2069 isolates, LRM, RLM, ALM.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_KEEP_FORMAT = frozenset("\u200c\u200d")  # ZWNJ, ZWJ: needed by scripts and emoji sequences
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]|[\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why `value` cannot be stored as user text, or None."""
    match = _FORBIDDEN.search(value)
    if match is None:
        return None
    char = match.group(0)
    if char == "\x00":
        return _("may not contain NUL (\\u0000) characters")
    if "\ud800" <= char <= "\udfff":
        return _("is not valid Unicode (a lone surrogate U+%(code)s)") % {"code": f"{ord(char):04X}"}
    return _("may not contain control characters (U+%(code)s)") % {"code": f"{ord(char):04X}"}


def clean_text(value: str | None, *, field: str, limit: int, required: bool = False, label: str | None = None) -> str:
    """`value` stripped (None is empty); InvalidInput on `field` if it is required and empty, or too long.

    The messages name the field by `label`, or by the field's name in words ("team_name" -> "Team name").
    """
    value = (value or "").strip()
    label = label or field.replace("_", " ").capitalize()
    if required and not value:
        raise InvalidInput(_("%(label)s is required.") % {"label": label}, field=field)
    if len(value) > limit:
        raise InvalidInput(
            _("%(label)s is longer than %(limit)d characters (%(length)d).")
            % {"label": label, "limit": limit, "length": len(value)},
            field=field,
        )
    return value


def normalise_name(value: str | None) -> str:
    """NFC, no bidi controls or invisible characters (except ZWJ/ZWNJ), single spaces, stripped."""
    value = unicodedata.normalize("NFC", value or "")
    kept = []
    for char in value:
        if char in BIDI_CONTROLS:
            continue
        category = unicodedata.category(char)
        if category == "Cf" and char not in _KEEP_FORMAT:
            continue  # zero-width space, word joiner, BOM, soft hyphen, ...
        if category in {"Cc", "Zs", "Zl", "Zp"}:
            char = " "
        kept.append(char)
    name = re.sub(" +", " ", "".join(kept)).strip()
    if not name.strip("\u200c\u200d"):
        return ""  # only joiners left: nothing visible
    return name


def validate_storable_text(value) -> None:
    """Django validator form of `text_problem` (web forms; see CoreConfig.ready)."""
    if isinstance(value, str):
        problem = text_problem(value)
        if problem and "NUL" not in problem:  # Django's own validator reports NUL
            raise ValidationError(
                _("This text %(problem)s: remove it and try again.") % {"problem": problem}, code="invalid_characters"
            )


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(value) -> str:
    """`value` as text without the characters XML 1.0 cannot hold (for DOCX exports of older data)."""
    return _XML_INVALID.sub("", str(value))


_HEADER_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def single_line_problem(value: str) -> str | None:
    """Why `value` cannot go into an e-mail header (a subject, a name): line breaks and other
    control characters would split or inject headers. None when it is safe."""
    match = _HEADER_UNSAFE.search(value or "")
    if match is None:
        return None
    return _("must be one line without control characters (found U+%(code)s)") % {"code": f"{ord(match.group(0)):04X}"}


def require_one_line(value: str, *, field: str, label: str) -> None:
    """Refuse (422) text that goes into an e-mail header, before anything is saved or sent."""
    problem = single_line_problem(value)
    if problem:
        raise Unprocessable(_("%(label)s %(problem)s.") % {"label": label, "problem": problem}, field=field)


def header_safe(value) -> str:
    """`value` with every control or line-break character turned into a space: for e-mail subjects
    built from older rows stored before `single_line_problem` was enforced."""
    return re.sub(" +", " ", _HEADER_UNSAFE.sub(" ", str(value))).strip()


# How a sentence writes a day (Django date syntax: month names come from the active language, and
# each language translates the pattern itself, "Y年n月j日" in Chinese). Not strftime: its month
# names are the C locale's, English whatever the reader's language.
DAY_FORMAT = pgettext_lazy("date format of a day in sentences, Django date syntax", "j F Y")


def day_text(value) -> str:
    """A date (or a datetime, as it is) written as a day for a sentence in the active language."""
    return date_format(value, DAY_FORMAT)
