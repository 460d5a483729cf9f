"""Number formatting for the insight pages (one place, so the page, CSV and tests agree)."""

from django import template

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
