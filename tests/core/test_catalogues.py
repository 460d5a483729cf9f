"""`convene messages --check`: the test that fails when text is left untranslated in zh-hans.

The whole-tree check passes only when every app's catalogue is complete (issue 20 is marked and
translated app by app); the other tests here show that the check can fail, without touching the
tree: they work on a temporary copy of src/convene.
"""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from django.utils.translation import gettext, pgettext

from convene.core import catalogues

# The catalogues of the project's own templates and of the apps whose text is marked so far.
MARKED = ["convene", "core", "accounts", "notifications", "discussions", "search"]


def _check(*args) -> tuple[str, str | None]:
    out = StringIO()
    try:
        call_command("messages", "--check", *args, stdout=out)
    except CommandError as exc:
        return out.getvalue(), str(exc)
    return out.getvalue(), None


@pytest.fixture
def copy(tmp_path) -> Path:
    target = tmp_path / "convene"
    shutil.copytree(catalogues.ROOT, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def test_every_catalogue_is_complete_and_compiled():
    out, failed = _check()
    assert failed is None, out


def test_the_marked_catalogues_are_complete_and_compiled():
    out, failed = _check("--only", *MARKED)
    assert failed is None, out
    assert "every message is translated" in out


def test_an_untranslated_template_string_fails_the_check(copy):
    template = copy / "core" / "templates" / "core" / "landing.html"
    template.write_text(template.read_text() + '{% load i18n %}<p>{% translate "Zebra crossing" %}</p>\n')
    out, failed = _check("--source", str(copy), "--only", "core")
    assert failed is not None and "1 translation problem" in failed
    assert "core/locale/zh_Hans/LC_MESSAGES/django.po: not translated: Zebra crossing" in out


def test_a_fuzzy_translation_and_a_stale_mo_fail_the_check(copy):
    po = copy / "search" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    text = po.read_text()
    assert 'msgid "Published case study"' in text
    po.write_text(text.replace('msgid "Published case study"', '#, fuzzy\nmsgid "Published case study"'))
    out, failed = _check("--source", str(copy), "--only", "search")
    assert failed is not None
    assert "not translated: Published case study" in out
    assert "search/locale/zh_Hans/LC_MESSAGES/django.po: the .mo does not match the .po" in out


def test_the_check_writes_nothing_in_the_tree(copy):
    before = {p: p.stat().st_mtime_ns for p in copy.rglob("*.po")}
    _check("--source", str(copy), "--only", "core", "search")
    assert {p: p.stat().st_mtime_ns for p in copy.rglob("*.po")} == before


def test_an_unknown_catalogue_is_a_clear_error():
    with pytest.raises(CommandError, match="no catalogue called nowhere"):
        call_command("messages", "--check", "--only", "nowhere", stdout=StringIO())


def test_the_project_catalogue_leaves_the_apps_out():
    po = catalogues.Catalogue("convene", catalogues.ROOT).po("zh_Hans", "django").read_text()
    assert 'msgid "Skip to content"' in po  # base.html, the project's
    assert 'msgid "Save profile"' not in po  # accounts' own template, in accounts' catalogue


def test_our_translations_win_over_djangos_and_allauths():
    """Django merges every app's catalogue and the first app listed wins a msgid; the project's apps
    come after Django's and allauth's, so a msgid they also translate ("Log out") needs a context."""
    clashes = []
    with translation.override("zh-hans"):
        for catalogue in catalogues.catalogues():
            po = catalogue.po("zh_Hans", "django")
            if not po.exists():
                continue
            for context, msgid, msgstr in catalogues.entries(po):
                got = pgettext(context, msgid) if context else gettext(msgid)
                if got != msgstr:
                    clashes.append(f"{catalogue.name}: {msgid!r} shows {got!r}, not {msgstr!r}")
    assert clashes == []
