"""Number formatting for the insight pages (one place, so the page, CSV and tests agree)."""

from django import template
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from convene.insights.figure_text import figure_short, figure_text

register = template.Library()

# Fixed labels that selectors and the privacy layer hand over in English (they are also keys for
# the noise and the trend cache, so they stay English there) and pages print in the reader's language.
LABELS = {
    "Discipline": gettext_lazy("Discipline"),
    "Organisation": gettext_lazy("Organisation"),
    "Seniority": gettext_lazy("Seniority"),
    "Community": gettext_lazy("Community"),
    "Not answered": pgettext_lazy("diversity answer", "Not answered"),
    "Other answers": gettext_lazy("Other answers"),
    "Mentors": gettext_lazy("Mentors"),
    "Mentees": gettext_lazy("Mentees"),
    "Session": gettext_lazy("Session"),
    "session": gettext_lazy("Session"),
    "response": gettext_lazy("Response"),
    "project": gettext_lazy("Project"),
    "Joint response": gettext_lazy("Joint response"),
    "Project": gettext_lazy("Project"),
    "Meeting before Convene": gettext_lazy("Meeting before Convene"),
    "Other": gettext_lazy("Other"),
    # seniority bands (accounts.Seniority; kept English in the figures, see selectors.common)
    "Student or trainee": gettext_lazy("Student or trainee"),
    "Early career (0–5 years)": gettext_lazy("Early career (0–5 years)"),
    "Mid career (5–15 years)": gettext_lazy("Mid career (5–15 years)"),
    "Senior (15+ years)": gettext_lazy("Senior (15+ years)"),
    "Leadership role": gettext_lazy("Leadership role"),
    # the default diversity attributes (settings.DIVERSITY_ATTRIBUTES)
    "Gender": gettext_lazy("Gender"),
    "Age band": gettext_lazy("Age band"),
    "Background (e.g. ethnicity, migration, first in family at university)": gettext_lazy(
        "Background (e.g. ethnicity, migration, first in family at university)"
    ),
    "Disability or long-term condition": gettext_lazy("Disability or long-term condition"),
    "Caring responsibilities": gettext_lazy("Caring responsibilities"),
    # selectors.common.DIVERSITY_NOTE
    "Only members who chose to share this answer are counted.": gettext_lazy(
        "Only members who chose to share this answer are counted."
    ),
    "Contribution Gini": gettext_lazy("Contribution Gini"),
    "Share heard": gettext_lazy("Share heard"),
    "Contributions": gettext_lazy("Contributions"),
    "Opportunities": gettext_lazy("Opportunities"),
}
BANDS = {
    "one-sided": gettext_lazy("one-sided"),
    "some variety": gettext_lazy("some variety"),
    "varied": gettext_lazy("varied"),
}


@register.filter
def label(value) -> str:
    """A fixed English label (a dimension, a category the privacy layer adds, a group, a kind of
    occasion, a chart series) in the active language; anything else (people's own words) as it is."""
    if value is None:
        return ""
    return str(LABELS.get(str(value), value))


@register.filter
def band(value) -> str:
    """A diversity band ("one-sided", "some variety", "varied") in the active language."""
    if not value:
        return _("not shown")
    return str(BANDS.get(str(value), value))


@register.filter
def period_label(period) -> str:
    """A reporting period as "1 Dec 2025 – 30 Nov 2026", month names in the active language."""
    return _("%(start)s – %(end)s") % {
        "start": date_format(period.start, _("j M Y")),
        "end": date_format(period.end, _("j M Y")),
    }


@register.filter
def figure(value) -> str:
    """A protected head count in words: "about 10", "fewer than 5", "hidden"."""
    return figure_text(value)


@register.filter
def short(value) -> str:
    """A protected figure for a table cell: "~10", "< 5", "-", "hidden"."""
    return figure_short(value)


@register.filter
def idx(value) -> str:
    """An index in [0, 1] with two decimals; None means it is withheld for privacy."""
    if value is None:
        return _("not shown")
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
        "one-sided": _("Most people counted are in one group; the other groups are small or absent."),
        "some variety": _("A few groups make up most of the people counted, with some others present."),
        "varied": _("People are spread over several groups; no single one dominates."),
    }.get(band, _("Too few people are counted to say how varied this is without singling anyone out."))


@register.filter
def gini_meaning(value, what="contributions") -> str:
    """One sentence per reading, written out for each `what` ("contributions" or "opportunities")."""
    opp = what == "opportunities"
    if value is None:
        if opp:
            return _(
                "Not shown: too few people to say how evenly opportunities are shared without singling anyone out."
            )
        return _("Not shown: too few people to say how evenly contributions are shared without singling anyone out.")
    value = float(value)
    if value < 0.3:
        return _("Opportunities are shared fairly evenly.") if opp else _("Contributions are shared fairly evenly.")
    if value < 0.5:
        if opp:
            return _("Some people have noticeably more opportunities than others.")
        return _("Some people have noticeably more contributions than others.")
    if value < 0.7:
        return (
            _("A few people have most of the opportunities.")
            if opp
            else _("A few people have most of the contributions.")
        )
    return (
        _("Almost all opportunities go to very few people.")
        if opp
        else _("Almost all contributions go to very few people.")
    )


@register.filter
def short_label(label) -> str:
    """A column heading without its explanation in brackets ("Background (e.g. ...)" -> "Background")."""
    return str(label).split(" (", 1)[0].split("（", 1)[0]


@register.filter
def idx_cell(value):
    """`idx` for a narrow table cell: a withheld index is a dash, read out as "not shown"."""
    if value is None:
        return format_html('<span aria-hidden="true">—</span><span class="sr-only">{}</span>', _("not shown"))
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
