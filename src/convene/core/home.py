"""The personal home page gathers what each app has waiting for the person.

An app contributes by defining `home_items(user) -> list[HomeItem]` and/or
`upcoming(user) -> list[HomeItem]` in its selectors module; no central list to edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .hooks import collect


@dataclass(frozen=True)
class HomeItem:
    title: str
    url: str
    kind: str  # short label shown as a badge: "Invitation", "Vote", "Follow-up" ...
    when: datetime | None = None
    detail: str = ""


def _collect(func_name: str, user) -> list[HomeItem]:
    return collect(func_name, user)


def waiting_for(user) -> list[HomeItem]:
    return _collect("home_items", user)


def upcoming_for(user) -> list[HomeItem]:
    items = _collect("upcoming", user)
    return sorted(items, key=lambda item: (item.when is None, item.when or datetime.max))
