"""A protected figure (convene.privacy.disclosure.Figure) in the reader's language.

`Figure.__str__` and `Figure.short` write English ("about 10", "fewer than 5", "hidden"); pages
print figures through these two functions instead, so the words follow the active language while
the numbers and symbols ("~10", "< 5") stay exactly as the disclosure module decides them.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from convene.engines.disclosure import SMALL, Figure


def figure_text(value) -> str:
    """The long form: "10", "about 10", "fewer than 5" or "hidden" (anything else as it is)."""
    if not isinstance(value, Figure):
        return "" if value is None else str(value)
    if value.value is None:
        if value.reason == SMALL and not value.unit:
            return _("fewer than %(n)s") % {"n": value.threshold}
        return _("hidden")
    text = f"{value.value}{value.unit}"
    return _("about %(n)s") % {"n": text} if value.approximate else text


def figure_short(value) -> str:
    """The compact form for table cells: "10", "~10", "< 5", "-" or "hidden"."""
    if not isinstance(value, Figure):
        return "" if value is None else str(value)
    if value.value is None and value.unit:
        return _("hidden")
    return value.short
