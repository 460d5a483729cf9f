"""The package layout's rules (docs/deliberation.md, "Code layout"): imports go one way, all at the
top of modules, and map readers never write."""

import ast
from pathlib import Path

import pytest

from convene.deliberation import selectors

ROOT = Path(selectors.__file__).resolve().parent.parent
# What each part may import from its siblings (the rest of the app: models, the engines, core).
FORBIDDEN = {
    "opinion_map": {"services", "selectors", "tasks", "permissions", "views", "api"},
    "selectors": {"services", "tasks", "views", "api"},
    "permissions": {"services", "selectors", "tasks", "opinion_map", "views", "api"},
    "tasks": {"services", "selectors", "views", "api"},
}


def _modules():
    return sorted(p for p in ROOT.rglob("*.py") if "migrations" not in p.parts)


def _part(path: Path) -> str:
    return path.relative_to(ROOT).parts[0].removesuffix(".py")


def _sibling(node: ast.ImportFrom, path: Path) -> str | None:
    """The deliberation part an import names (`from ..services import x`, `from . import services`)."""
    if node.level == 0:
        prefix = "convene.deliberation."
        name = node.module or ""
        return name[len(prefix) :].split(".")[0] if name.startswith(prefix) else None
    depth = len(path.relative_to(ROOT).parts) - 1  # 0 for deliberation/x.py, 1 for deliberation/pkg/x.py
    if node.level != depth + 1:
        return None  # inside its own package
    return (node.module or node.names[0].name).split(".")[0]


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_are_at_the_top_and_go_one_way(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inner = [n for n in ast.walk(node) if isinstance(n, (ast.Import, ast.ImportFrom))]
            assert not inner, f"{node.name} imports inside a function (line {inner[0].lineno})"
    forbidden = FORBIDDEN.get(_part(path), set())
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            sibling = _sibling(node, path)
            imported = [sibling] if sibling else []
            if node.level and not node.module:  # from .. import services, selectors
                imported = [a.name for a in node.names]
            assert not forbidden.intersection(imported), f"{path.name} imports {imported} (line {node.lineno})"


# The same rules for the other apps split into packages (docs/architecture.md): imports at the top,
# and selectors (reads) never import the write side.
OTHER_APPS = [ROOT.parent / "convening", ROOT.parent / "insights"]
OTHER_FORBIDDEN = {"selectors": {"services", "views", "api"}}


def _other_modules():
    return sorted(p for app in OTHER_APPS for p in app.rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", _other_modules(), ids=lambda p: str(p.relative_to(ROOT.parent)))
def test_convening_and_insights_import_at_the_top_and_reads_never_import_writes(path):
    app = next(a for a in OTHER_APPS if a in path.parents)
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inner = [n for n in ast.walk(node) if isinstance(n, (ast.Import, ast.ImportFrom))]
            assert not inner, f"{node.name} imports inside a function (line {inner[0].lineno})"
    part = path.relative_to(app).parts[0].removesuffix(".py")
    forbidden = OTHER_FORBIDDEN.get(part, set())
    depth = len(path.relative_to(app).parts) - 1
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level == 0:
            prefix = f"convene.{app.name}."
            name = node.module or ""
            imported = [name[len(prefix) :].split(".")[0]] if name.startswith(prefix) else []
        elif node.level == depth + 1:
            imported = [node.module.split(".")[0]] if node.module else [a.name for a in node.names]
        else:
            imported = []
        assert not forbidden.intersection(imported), f"{path.name} imports {imported} (line {node.lineno})"
