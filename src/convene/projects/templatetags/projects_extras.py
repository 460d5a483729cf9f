from django import template

from convene.projects.forms import person_label as _person_label

register = template.Library()


@register.filter
def person_label(user) -> str:
    """A person's name with their discipline and organisation, to tell namesakes apart."""
    return _person_label(user)
