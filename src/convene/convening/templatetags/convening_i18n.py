"""Template filters that show the shipped activity catalogue in the reader's language."""

from django import template

from ..shipped_text import shipped_agenda_title, shipped_field

register = template.Library()


@register.filter
def shipped(activity, field: str) -> str:
    """`{{ activity|shipped:"name" }}`: the field translated while it is the shipped text."""
    return shipped_field(activity, field) if activity else ""


@register.filter
def shipped_text(title: str) -> str:
    """`{{ item.title|shipped_text }}`: a shipped agenda template title, translated."""
    return shipped_agenda_title(title or "")
