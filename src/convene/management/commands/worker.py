"""`convene worker`: django-tasks-db's `db_worker`, kept running across database restarts.

`db_worker` exits on the first database error it does not expect ("the database system is
shutting down", a dropped connection). This command runs the same worker (same options) in a
loop: on `OperationalError` or `InterfaceError` it closes every connection, waits (1 s, doubling
up to `--max-backoff`, 30 s by default; back to 1 s after a minute of good running) and starts
again. A supervisor (deploy/convene-worker.service) restarts it if it exits for any other reason.
"""

from __future__ import annotations

import logging
import time

from django.db import InterfaceError, OperationalError, close_old_connections, connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

logger = logging.getLogger("convene.worker")

HEALTHY_AFTER_SECONDS = 60


def backoff_delays(first: float = 1.0, cap: float = 30.0):
    """1, 2, 4, … seconds, never more than `cap`."""
    delay = first
    while True:
        yield delay
        delay = min(cap, delay * 2)


class Command(DbWorkerCommand):
    help = "Run the task worker (django-tasks-db's db_worker), reconnecting with backoff when the database restarts."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(reload=False)
        parser.add_argument("--max-backoff", type=float, default=30.0, help="longest wait between reconnections (s)")
        parser.add_argument(
            "--max-restarts", type=int, default=None, help="give up after this many database errors (default: never)"
        )

    def handle(self, *args, max_backoff: float, max_restarts: int | None, **options):
        delays = backoff_delays(cap=max_backoff)
        restarts = 0
        while True:
            started = time.monotonic()
            try:
                super().handle(*args, **options)
                return  # --batch or --max-tasks: the worker finished its work
            except (OperationalError, InterfaceError) as exc:
                restarts += 1
                if max_restarts is not None and restarts > max_restarts:
                    raise
                if time.monotonic() - started > HEALTHY_AFTER_SECONDS:
                    delays = backoff_delays(cap=max_backoff)
                delay = next(delays)
                logger.warning("Database unavailable (%s); the worker retries in %.0f s.", str(exc).strip(), delay)
                self.stderr.write(f"Database unavailable ({str(exc).strip()}); retrying in {delay:.0f} s.")
                connections.close_all()
                time.sleep(delay)
                close_old_connections()
