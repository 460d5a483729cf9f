"""`convene digest --daily|--weekly`: mail each person their digest of unmailed notifications.

Run it from cron or a systemd timer (daily at 07:00, weekly on Monday at 07:00; docs/notifications.md).
Idempotent: a notification is mailed once, so a second run the same day sends nothing.
"""

from django.core.management.base import BaseCommand, CommandError

from convene.notifications.kinds import Delivery
from convene.notifications.mail import digest_run


class Command(BaseCommand):
    help = "Send the daily or weekly notification digest (only to people who chose that rhythm). Idempotent."

    def add_arguments(self, parser):
        rhythm = parser.add_mutually_exclusive_group(required=True)
        rhythm.add_argument("--daily", action="store_const", const=Delivery.DAILY, dest="rhythm")
        rhythm.add_argument("--weekly", action="store_const", const=Delivery.WEEKLY, dest="rhythm")

    def handle(self, *args, rhythm, **options):
        if rhythm not in (Delivery.DAILY, Delivery.WEEKLY):  # pragma: no cover - argparse enforces it
            raise CommandError("Choose --daily or --weekly.")
        run = digest_run(rhythm)
        self.stdout.write(
            self.style.SUCCESS(
                f"{rhythm} digest: {run.people} people, {run.notifications} notifications, {run.failed} failed."
            )
        )
