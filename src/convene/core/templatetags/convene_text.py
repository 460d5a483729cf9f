"""Template filters for user text."""

from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

_QUOTED = re.compile("“([^”<>]*)”")


@register.filter
def isolate_quoted(value) -> str:
    """Escape `value`, then put every “quoted” part (user text in flash messages) in <bdi>, so a
    right-to-left name does not reorder the sentence around it."""
    escaped = str(conditional_escape(value))
    return mark_safe(_QUOTED.sub(r"“<bdi>\1</bdi>”", escaped))  # noqa: S308 - escaped just above
