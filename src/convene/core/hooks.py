"""Cross-app extension points, found by convention instead of a central list.

An app `convene.X` may define these functions in `convene/X/selectors.py`:

- `home_items(user) -> list[HomeItem]`         things waiting for the person (home page)
- `upcoming(user) -> list[HomeItem]`           dated things coming up (home page)
- `community_links(user, community) -> list[tuple[str, str]]`  (label, url) tabs on a community
- `personal_data(user) -> dict`                its part of the member's data download
- `context_info(context: str) -> dict | None`  for the contexts it owns ("session:12", "response:4",
  "project:3"), used by insights for per-session/response/project views:
  {"title": str, "url": str, "kind": "session"|"response"|"project", "community_ids": [int],
   "invited_user_ids": [int], "anonymous": bool, "groups": {"label": [user ids]}}; None otherwise.
- `mail_reply_to(notification) -> str | None`  the Reply-To of a notification's mail when its object
  takes replies by mail (discussions: a signed `reply+<token>@<CONVENE_REPLY_DOMAIN>` address)
- `contexts_for(community) -> list[str]`       the contexts it owns in a community, newest first
- `turn_suggestions(community, kind, eligible_user_ids, limit) -> list`  whose turn it is for a role
  (insights: the people who fit with the fewest recent opportunities of that kind), for apps
  that let a coordinator assign one; items have `user_id`, `name`, `recent`, `ever`, `last_at`

And one write hook, in `convene/X/services.py` (or the services package's `__init__`), because
erasing is a write and selectors never write:

- `personal_data_erase(user) -> None`  remove what the app holds about a person who leaves
  (accounts.services.account_delete calls every app's, inside its transaction; docs/privacy.md)
"""

from __future__ import annotations

import importlib
from functools import cache

from django.apps import apps


def _app_modules(kind: str) -> tuple:
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("convene."):
            continue
        try:
            modules.append(importlib.import_module(f"{config.name}.{kind}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{kind}":
                raise
    return tuple(modules)


@cache
def _selector_modules():
    return _app_modules("selectors")


@cache
def _service_modules():
    return _app_modules("services")


def erase_personal_data(user) -> list[str]:
    """Run every app's `personal_data_erase(user)`; returns the apps that had one (for the audit)."""
    done = []
    for module in _service_modules():
        func = getattr(module, "personal_data_erase", None)
        if func is not None:
            func(user)
            done.append(module.__name__.split(".")[1])
    return done


def collect(func_name: str, *args) -> list:
    out = []
    for module in _selector_modules():
        func = getattr(module, func_name, None)
        if func is not None:
            result = func(*args)
            if isinstance(result, dict):
                out.append(result)
            else:
                out.extend(result)
    return out


def first(func_name: str, *args):
    """The first non-None answer of `func_name` across apps (for lookups one app owns)."""
    for module in _selector_modules():
        func = getattr(module, func_name, None)
        if func is not None:
            result = func(*args)
            if result is not None:
                return result
    return None
