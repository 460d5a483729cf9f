"""The activity catalogue shipped with Convene, loadable outside migrations too.

The data and loader live in migration 0002 (so a fresh database always has them); this module
re-runs that loader for the cases where tables were emptied after migrating: `convene flush`
followed by `convene demo` or `convene import`, and test databases truncated between tests. It
only adds entries that are missing, never overwrites a coordinator's edits.
"""

from __future__ import annotations

import importlib

from django.apps import apps

from .models import ActivityType


def ensure_catalogue() -> None:
    if ActivityType.objects.exists():
        return
    migration = importlib.import_module("convene.convening.migrations.0002_activity_catalogue")
    migration.load(apps, None)
