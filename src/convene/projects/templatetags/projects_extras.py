from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from convene.insights.figure_text import figure_text
from convene.projects.forms import person_label as _person_label

register = template.Library()


@register.filter
def person_label(user) -> str:
    """A person's name with their discipline and organisation, to tell namesakes apart."""
    return _person_label(user)


def _counts(mentors, mentees) -> dict:
    mentors, mentees = int(mentors or 0), int(mentees or 0)
    return {
        "mentors": ngettext("%(n)d mentor", "%(n)d mentors", mentors) % {"n": mentors},
        "mentees": ngettext("%(n)d mentee", "%(n)d mentees", mentees) % {"n": mentees},
    }


@register.filter
def team_shape(mentors, mentees) -> str:
    """ "2 mentors and 4 mentees" in the active language."""
    return _("%(mentors)s and %(mentees)s") % _counts(mentors, mentees)


@register.filter
def team_shape_list(mentors, mentees) -> str:
    """ "2 mentors, 4 mentees" (a table cell) in the active language."""
    return _("%(mentors)s, %(mentees)s") % _counts(mentors, mentees)


@register.filter
def figure(value) -> str:
    """A protected head count ("about 10", "fewer than 5") in the active language."""
    return figure_text(value)
