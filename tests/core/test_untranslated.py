"""Every template's readable text goes through a translation tag (convene.core.untranslated).

`test_no_template_has_untranslated_text` covers every template under src/convene, so it passes
once every app is marked; the app-by-app test covers the templates marked so far.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from convene.core import catalogues
from convene.core.untranslated import scan_text, templates

MARKED = [
    catalogues.ROOT / "templates",
    *(catalogues.ROOT / app for app in ("core", "accounts", "notifications", "discussions", "search")),
]


def _findings(roots) -> list[str]:
    return [str(f) for root in roots for path in templates(root) for f in scan_text(path.read_text(), path)]


def test_no_template_has_untranslated_text():
    assert _findings([catalogues.ROOT]) == []


def test_the_marked_templates_have_no_untranslated_text():
    assert _findings(MARKED) == []


@pytest.mark.parametrize(
    "source, found",
    [
        ("<h1>Zebra crossing</h1>", ["Zebra crossing"]),
        ('<nav aria-label="Main"></nav>', ['aria-label="Main"']),
        ('<input placeholder="Search here">', ['placeholder="Search here"']),
        ('<img alt="A map" src="x.png">', ['alt="A map"']),
        ('<input type="submit" value="Go on">', ['value="Go on"']),
        ("<p>{{ n }} member{{ n|pluralize }}</p>", ["member"]),
        ("<p>{% if x %}Shown{% endif %}</p>", ["Shown"]),
    ],
)
def test_literal_text_is_found(source, found):
    assert [f.text for f in scan_text("{% load i18n %}" + source)] == found


@pytest.mark.parametrize(
    "source",
    [
        '<h1>{% translate "Zebra crossing" %}</h1>',
        '<nav aria-label="{% translate "Main" %}"></nav>',
        "<p>{% blocktranslate trimmed %}Hello {{ name }}{% endblocktranslate %}</p>",
        '<div class="card notif{% if unread %} notif-unread{% endif %}" id="post-{{ pk }}"></div>',
        "<script>const label = 'Not text';</script><style>.a::after { content: 'x' }</style>",
        "<p>Convene · API · CSV</p><code>Authorization: Bearer</code>",
        "{% comment %}Notes for developers{% endcomment %}{# a note #}<!-- an HTML comment -->",
        "<p>{{ value|date:_('j M Y') }} &nbsp; &middot;</p>",
        '<button name="decision" value="approve">{% translate "Approve" %}</button>',  # sent, never shown
    ],
)
def test_marked_or_technical_text_passes(source):
    assert scan_text("{% load i18n %}" + source) == []


def test_findings_name_the_file_and_line(tmp_path):
    page = tmp_path / "templates" / "page.html"
    page.parent.mkdir()
    page.write_text("{% load i18n %}\n<p>{% translate 'Fine' %}</p>\n\n<p>Not fine</p>\n")
    [finding] = [f for p in templates(tmp_path) for f in scan_text(p.read_text(), p)]
    assert str(finding) == f"{Path(page)}:4: Not fine"
