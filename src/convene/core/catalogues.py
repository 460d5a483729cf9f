"""Translation catalogues: where they are, how they are updated and how they are checked.

One catalogue per app (`src/convene/<app>/locale/`) and one for the project's own templates,
scripts and top-level modules (`src/convene/locale/`, extracted from src/convene with every app
folder left out). Each has a `django` domain and, when the folder has scripts, a `djangojs` one.
`convene messages` updates and compiles them all; `convene messages --check` extracts into a
temporary copy of the source tree (the tree is never touched) and reports every message that has
no finished translation, and every compiled .mo that does not match its .po (docs/i18n.md).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.core.management import call_command

import convene

ROOT = Path(convene.__file__).resolve().parent
PROJECT = "convene"
DOMAINS = ("django", "djangojs")
# Translated locales (settings.LANGUAGES other than the source language), as gettext names them.
LOCALES = ("zh_Hans",)
# Never extracted: vendored libraries, the catalogues themselves, collected static files.
IGNORE = ("vendor", "locale", "staticfiles", "node_modules", "__pycache__")


@dataclass(frozen=True)
class Catalogue:
    name: str  # "convene" for the project, else the app's label folder name ("accounts")
    folder: Path  # where makemessages runs; the catalogue is folder/locale

    def po(self, locale: str, domain: str) -> Path:
        return self.folder / "locale" / locale / "LC_MESSAGES" / f"{domain}.po"


def app_folders(root: Path = ROOT) -> list[Path]:
    """The folders of the project's apps (each holds its own catalogue)."""
    folders = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path != ROOT and ROOT in path.parents:
            folders.append(root / path.relative_to(ROOT))
    return sorted(folders)


def catalogues(root: Path = ROOT, only: Iterator[str] | None = None) -> list[Catalogue]:
    found = [Catalogue(PROJECT, root), *(Catalogue(folder.name, folder) for folder in app_folders(root))]
    if only:
        wanted = set(only)
        unknown = wanted - {c.name for c in found}
        if unknown:
            raise ValueError(f"no catalogue called {', '.join(sorted(unknown))}")
        found = [c for c in found if c.name in wanted]
    return found


@contextmanager
def _cwd(path: Path):
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def _has_scripts(folder: Path, ignore: tuple[str, ...]) -> bool:
    for path in folder.rglob("*.js"):
        parts = path.relative_to(folder).parts
        if not any(part in ignore for part in parts):
            return True
    return False


def update(catalogue: Catalogue, root: Path = ROOT, locales: tuple[str, ...] = LOCALES) -> None:
    """Extract the catalogue's messages into its .po files (makemessages), keeping translations."""
    ignore = IGNORE
    if catalogue.name == PROJECT:  # the project's catalogue: everything outside the apps' folders
        ignore = (*IGNORE, *(folder.name for folder in app_folders(root)))
    (catalogue.folder / "locale").mkdir(exist_ok=True)
    with _cwd(catalogue.folder):
        for domain in DOMAINS:
            if domain == "djangojs" and not _has_scripts(catalogue.folder, ignore):
                continue
            before = {locale: _read(catalogue.po(locale, domain)) for locale in locales}
            call_command(
                "makemessages",
                locale=list(locales),
                domain=domain,
                ignore_patterns=list(ignore),
                no_location=True,
                no_obsolete=True,
                verbosity=0,
            )
            for locale, old in before.items():  # only the extraction date changed: keep the file as it was
                po = catalogue.po(locale, domain)
                if old is not None and _undated(_read(po)) == _undated(old):
                    po.write_text(old, encoding="utf-8")


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.exists() else None


def _undated(text: str | None) -> str | None:
    return re.sub(r'^"POT-Creation-Date: .*\\n"$', "", text, flags=re.M) if text is not None else None


def compile_all(root: Path = ROOT, locales: tuple[str, ...] = LOCALES) -> None:
    with _cwd(root):
        call_command("compilemessages", locale=list(locales), verbosity=0)


def _msgids(po: Path, *flags: str) -> list[str]:
    """The msgids (with their context) of the entries msgattrib selects with `flags`."""
    out = subprocess.run(["msgattrib", *flags, "--no-wrap", str(po)], capture_output=True, text=True, check=True).stdout
    found = []
    for block in out.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        text = "\n".join(lines)
        match = re.search(r'^msgid "(.*)"$', text, flags=re.M)
        if not match or not match.group(1):
            continue  # the header
        context = re.search(r'^msgctxt "(.*)"$', text, flags=re.M)
        found.append(f"{match.group(1)} [{context.group(1)}]" if context else match.group(1))
    return found


def entries(po: Path) -> list[tuple[str | None, str, str]]:
    """(context, msgid, msgstr) of each translated singular entry of `po` (plural ones left out)."""
    out = subprocess.run(
        ["msgattrib", "--translated", "--no-fuzzy", "--no-wrap", str(po)], capture_output=True, text=True, check=True
    ).stdout
    found = []
    for block in out.split("\n\n"):
        fields = {}
        for line in block.splitlines():
            key, _space, value = line.partition(" ")
            if key in ("msgctxt", "msgid", "msgid_plural", "msgstr") and value.startswith('"'):
                fields[key] = json.loads(value)
        if fields.get("msgid") and "msgid_plural" not in fields and "msgstr" in fields:
            found.append((fields.get("msgctxt"), fields["msgid"], fields["msgstr"]))
    return found


def untranslated(po: Path) -> list[str]:
    """Messages of `po` without a finished translation (empty or fuzzy)."""
    return sorted(set(_msgids(po, "--untranslated")) | set(_msgids(po, "--only-fuzzy")))


def mo_matches(po: Path) -> bool:
    """Whether the committed .mo next to `po` is what compiling the .po gives."""
    mo = po.with_suffix(".mo")
    if not mo.exists():
        return False
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "fresh.mo"
        subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(po)], check=True, capture_output=True)
        return fresh.read_bytes() == mo.read_bytes()


def check(source: Path = ROOT, only=None, locales: tuple[str, ...] = LOCALES) -> list[str]:
    """Problems with the catalogues of the tree at `source` (nothing in it is written).

    The tree is copied to a temporary folder, every catalogue is re-extracted there (so a string
    added to a template but missing from the catalogue counts), and each copy is read: a message
    without a finished translation, or a .mo that does not match its committed .po, is a problem.
    """
    problems: list[str] = []
    for catalogue in catalogues(source, only):
        for locale in locales:
            for domain in DOMAINS:
                po = catalogue.po(locale, domain)
                if po.exists() and not mo_matches(po):
                    problems.append(f"{po.relative_to(source.parent)}: the .mo does not match the .po (compile it)")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / source.name
        shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo"))
        for catalogue in catalogues(copy, only):
            update(catalogue, copy, locales)
            for locale in locales:
                for domain in DOMAINS:
                    po = catalogue.po(locale, domain)
                    if not po.exists():
                        continue
                    where = po.relative_to(copy.parent)
                    problems += [f"{where}: not translated: {msgid}" for msgid in untranslated(po)]
    return problems
