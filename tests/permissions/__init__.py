"""Permission decisions for every route, one module per app.

Each module defines `setup(world)` (optional: create the objects its routes need, in
`world.objects`), `WEB` and `API`: lists of `Case`. The matrix test fails for any URL pattern
or API operation that has no case here, so a new route cannot ship without a decision.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field

ROLES = ("anonymous", "outsider", "guest", "member", "coordinator")


@dataclass(frozen=True)
class Case:
    route: str  # URL name ("communities:detail") or "METHOD /api/v1/path/{param}"
    expect: tuple[int, int, int, int, int]  # status for anonymous, outsider, guest, member, coordinator
    kwargs: Callable = lambda w: {}  # world -> URL kwargs (web) or path params (API)
    method: str = "GET"
    data: Callable | None = None  # world -> POST body (form dict for web, JSON for API)
    note: str = ""
    extra: dict = field(default_factory=dict)


def modules():
    package = importlib.import_module(__name__)
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if not info.name.startswith("test_"):
            yield importlib.import_module(f"{__name__}.{info.name}")


def all_cases(kind: str) -> list[Case]:
    return [case for module in modules() for case in getattr(module, kind, [])]


def setup_world(world) -> None:
    for module in modules():
        if hasattr(module, "setup"):
            module.setup(world)
