"""Which files are taken, told by their first bytes (never by the name or the client's claim).

`sniff(head, zipped)` names the kind of a file from its opening bytes; for ZIP containers (the
Office Open XML and OpenDocument formats) it looks at the names of the entries, never unpacking
more than the small `mimetype` entry. Plain text (txt, csv, md) has no signature: it is taken when
the first bytes are UTF-8 without control characters, and its kind then comes from the extension.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Kind:
    extension: str  # canonical, without the dot
    content_type: str  # what the download says it is (never the client's claim)
    label: str
    image: bool = False


KINDS = {
    "pdf": Kind("pdf", "application/pdf", _("PDF document")),
    "docx": Kind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", _("Word document")),
    "xlsx": Kind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _("Excel spreadsheet")),
    "pptx": Kind(
        "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", _("PowerPoint slides")
    ),
    "odt": Kind("odt", "application/vnd.oasis.opendocument.text", _("OpenDocument text")),
    "txt": Kind("txt", "text/plain; charset=utf-8", _("plain text")),
    "csv": Kind("csv", "text/csv; charset=utf-8", _("CSV table")),
    "md": Kind("md", "text/markdown; charset=utf-8", _("Markdown text")),
    "png": Kind("png", "image/png", _("PNG image"), image=True),
    "jpg": Kind("jpg", "image/jpeg", _("JPEG image"), image=True),
    "gif": Kind("gif", "image/gif", _("GIF image"), image=True),
    "webp": Kind("webp", "image/webp", _("WebP image"), image=True),
}
ALIASES = {"jpeg": "jpg", "markdown": "md", "text": "txt"}
TEXT_KINDS = ("txt", "csv", "md")
HEAD_BYTES = 8192
# Entries that mark an Office Open XML file as a document, a workbook or a presentation.
_OOXML = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx", "ppt/presentation.xml": "pptx"}
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def canonical(extension: str) -> str:
    extension = extension.lower().lstrip(".")
    return ALIASES.get(extension, extension)


def _zip_kind(fileobj) -> str | None:
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist())
            for entry, kind in _OOXML.items():
                if entry in names:
                    return kind
            if "mimetype" in names and archive.getinfo("mimetype").file_size <= 200:
                if archive.read("mimetype").strip() == _ODT_MIMETYPE:
                    return "odt"
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, NotImplementedError, RuntimeError):
        return None
    return None


def _is_text(head: bytes) -> bool:
    if not head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # a character cut at the end of the window is fine
            return False
        text = head[: exc.start].decode("utf-8")
    return not any(ord(c) < 32 and c not in "\t\n\r\f" for c in text) and "\x7f" not in text


def sniff(head: bytes, fileobj, *, extension: str) -> str | None:
    """The kind (a key of KINDS) the contents are, or None when they are nothing we take.

    `fileobj` is read again (from the start) only for ZIP containers; `extension` (canonical)
    only chooses among the text kinds, which have no signature."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"PK\x03\x04"):
        fileobj.seek(0)
        found = _zip_kind(fileobj)
        fileobj.seek(0)
        return found
    if _is_text(head.removeprefix(b"\xef\xbb\xbf")):
        return extension if extension in TEXT_KINDS else "txt"
    return None
