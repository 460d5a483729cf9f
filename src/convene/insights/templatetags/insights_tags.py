"""Number formatting for the insight pages (one place, so the page, CSV and tests agree)."""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def idx(value) -> str:
    """An index in [0, 1] with two decimals; None means it is withheld for privacy."""
    if value is None:
        return "not shown"
    return f"{float(value):.2f}"


@register.filter
def pct(value) -> str:
    if value is None:
        return "—"
    return f"{float(value) * 100:.0f} %"


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


# "What this means": one plain sentence under each figure, read from the figures already shown
# (protected and coarse), so it says nothing the figures do not.
@register.filter
def band_meaning(band) -> str:
    return {
        "one-sided": "Most people counted are in one group; the other groups are small or absent.",
        "some variety": "A few groups make up most of the people counted, with some others present.",
        "varied": "People are spread over several groups; no single one dominates.",
    }.get(band, "Too few people are counted to say how varied this is without singling anyone out.")


@register.filter
def gini_meaning(value, what="contributions") -> str:
    if value is None:
        return f"Not shown: too few people to say how evenly {what} are shared without singling anyone out."
    value = float(value)
    if value < 0.3:
        return f"{what.capitalize()} are shared fairly evenly."
    if value < 0.5:
        return f"Some people have noticeably more {what} than others."
    if value < 0.7:
        return f"A few people have most of the {what}."
    return f"Almost all {what} go to very few people."


@register.filter
def short_label(label) -> str:
    """A column heading without its explanation in brackets ("Background (e.g. ...)" -> "Background")."""
    return str(label).split(" (", 1)[0]


@register.filter
def idx_cell(value):
    """`idx` for a narrow table cell: a withheld index is a dash, read out as "not shown"."""
    if value is None:
        return mark_safe('<span aria-hidden="true">—</span><span class="sr-only">not shown</span>')
    return idx(value)


@register.filter
def breakable(label):
    """A heading whose long words may break with a hyphen (a soft hyphen mid-word), so a narrow
    table column can wrap "responsibilities" instead of widening the table."""
    words = []
    for word in str(label).split(" "):
        if len(word) > 10:
            half = len(word) // 2
            words.append(format_html("{}&shy;{}", word[:half], word[half:]))
        else:
            words.append(conditional_escape(word))
    return mark_safe(" ".join(words))
