"""`convene mail_inbound --host 0.0.0.0 --port 25`: receive replies by e-mail and post them.

Point the MX record of CONVENE_REPLY_DOMAIN at this process (directly, or through a relay that
forwards the domain here); docs/notifications.md. It runs until stopped (Ctrl-C or SIGTERM).
"""

from __future__ import annotations

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from convene.notifications.smtp_inbound import inbound_controller


class Command(BaseCommand):
    help = "Run the SMTP server that turns replies to notification mails into posts in their threads."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8025, help="port to listen on (default 8025)")

    def handle(self, *args, **opts):
        if not 0 < opts["port"] < 65536:
            raise CommandError("--port must be between 1 and 65535")
        if not settings.CONVENE_REPLY_DOMAIN:
            self.stderr.write(
                "CONVENE_REPLY_DOMAIN is not set: notification mails carry no reply address, "
                "so nothing will arrive here."
            )
        stop = threading.Event()
        controller = inbound_controller(host=opts["host"], port=opts["port"])
        try:
            controller.start()
        except (OSError, RuntimeError) as exc:
            raise CommandError(f"cannot listen on {opts['host']}:{opts['port']}: {exc}") from None
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
        self.stdout.write(f"Receiving replies by mail on {opts['host']}:{opts['port']} (Ctrl-C stops).")
        try:
            while not stop.wait(1):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            controller.stop()
        self.stdout.write("Stopped.")
