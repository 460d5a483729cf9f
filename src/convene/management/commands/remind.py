"""`convene remind`: send every reminder that is due. Safe to run from cron every few minutes.

Each app that sends reminders defines `send_due_reminders(now) -> int` in `convene/<app>/reminders.py`
and records what it sent, so a second run sends nothing twice.
"""

import importlib

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils import timezone


class Command(BaseCommand):
    help = "Send due reminder emails (sessions, joint-response phases). Idempotent."

    def handle(self, *args, **options):
        now = timezone.now()
        total = 0
        for config in apps.get_app_configs():
            if not config.name.startswith("convene."):
                continue
            try:
                module = importlib.import_module(f"{config.name}.reminders")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.reminders":
                    raise
                continue
            sent = module.send_due_reminders(now)
            total += sent
            self.stdout.write(f"{config.label}: {sent} reminder(s) sent")
        self.stdout.write(self.style.SUCCESS(f"{total} reminder(s) sent in all."))
