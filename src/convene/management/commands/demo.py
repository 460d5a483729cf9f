"""`convene demo`: load the demo communities and their stories. Safe to run twice."""

import importlib

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

# Order matters: later parts use the people and communities made by earlier ones.
DEMO_MODULES = [
    "convene.communities.demo",
    "convene.convening.demo",
    "convene.deliberation.demo",
    "convene.projects.demo",
    "convene.insights.demo",
    "convene.discussions.demo",
]


class Command(BaseCommand):
    help = "Load (or refresh) the demo data. Idempotent: running it twice duplicates nothing."

    def handle(self, *args, **options):
        for name in DEMO_MODULES:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name and name.startswith(exc.name):
                    continue  # that part of the product is not installed
                raise
            # Demo stories trigger notification mail; keep it out of the console.
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), transaction.atomic():
                summary = module.load()
            if summary:
                self.stdout.write(f"  {summary}")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write("  Demo logins (password “convene-demo”):")
        for email, what in [
            ("coordinator@example.org", "coordinates psychiatry and the joint response"),
            ("social.coordinator@example.org", "coordinates social work"),
            ("ignite.coordinator@example.org", "coordinates Ignite (coding for non-coders)"),
            ("member01@example.org", "an ordinary member"),
            ("guest@example.org", "a housing officer, guest of the psychiatry network"),
        ]:
            self.stdout.write(f"    {email:34} {what}")
