"""The shipped (shared) activity catalogue, put back when its table was emptied after migrating
(`convene flush` then `convene demo` or `convene import`, test databases truncated between tests).

The data and loader live in migration 0002 so a fresh database always has them; this only loads
them again when the table is empty. It depends on the models alone, so the export/import code in
`core.portability` can call it without importing convening's services (which import
communities' services, which import the portability code).
"""

from __future__ import annotations

import importlib

from django.apps import apps

from .models import ActivityType


def ensure_catalogue() -> None:
    """The shipped catalogue, loaded again if its table is empty."""
    if ActivityType.objects.exists():
        return
    migration = importlib.import_module("convene.convening.migrations.0002_activity_catalogue")
    migration.load(apps, None)
