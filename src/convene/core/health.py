"""What /healthz reports: the database, the cache and the task queue, each with its state."""

from __future__ import annotations

import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

# What an unreachable database raises (restarting, failing over, a lock held too long on SQLite).
DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


def _database() -> dict:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        return {"ok": False, "required": True, "error": type(exc).__name__}
    return {"ok": True, "required": True, "ms": round((time.monotonic() - started) * 1000, 1)}


def _cache() -> dict:
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, 1, timeout=10)
        ok = cache.get(key) == 1  # the fail-open cache answers a miss when Redis is down
        cache.delete(key)
    except Exception as exc:  # noqa: BLE001 - an unusable cache is reported, not raised
        return {"ok": False, "required": False, "backend": backend, "error": type(exc).__name__}
    return {"ok": ok, "required": False, "backend": backend}


def _task_queue() -> dict:
    backend = settings.TASKS["default"]["BACKEND"]
    if not backend.startswith("django_tasks_db"):
        return {"ok": True, "required": False, "backend": backend.rsplit(".", 1)[-1]}
    max_age = settings.CONVENE_HEALTH_MAX_TASK_AGE
    try:
        oldest = DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    except Exception as exc:  # noqa: BLE001 - the database check reports the cause
        return {"ok": False, "required": bool(max_age), "error": type(exc).__name__}
    age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    ok = not max_age or age <= max_age
    return {"ok": ok, "required": bool(max_age), "oldest_waiting_seconds": round(age, 1)}


def health_report() -> dict:
    checks = {"database": _database(), "cache": _cache(), "task_queue": _task_queue()}
    down = [name for name, check in checks.items() if check["required"] and not check["ok"]]
    return {"status": "unavailable" if down else "ok", "down": down, "checks": checks}
