"""CSV cells a spreadsheet cannot run: the one helper every CSV export uses (no Django here, so the
engines' Pol.is writer can use it too).

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel,
LibreOffice and Google Sheets ("CSV injection"); such text gets a leading apostrophe, which the
spreadsheets show as text and do not display. Numbers (`-1`, `+3.5`) are left alone.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip().lower() not in {"nan", "inf", "-inf", "+inf", "infinity", "-infinity", "+infinity"}


def spreadsheet_safe(value) -> str:
    """The cell's text, with a leading apostrophe if a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in FORMULA_STARTS and not _is_number(text):
        return "'" + text
    return text
