"""Django's SMTP backend, timing the time spent talking to the server (open, send, close)."""

import time

from django.core.mail.backends.smtp import EmailBackend as SMTPBackend

SECONDS = 0.0
OPENED = 0


class EmailBackend(SMTPBackend):
    def open(self):
        global SECONDS, OPENED
        t = time.perf_counter()
        try:
            opened = super().open()
            OPENED += bool(opened)
            return opened
        finally:
            SECONDS += time.perf_counter() - t

    def send_messages(self, email_messages):
        global SECONDS
        t = time.perf_counter()
        try:
            return super().send_messages(email_messages)
        finally:
            SECONDS += time.perf_counter() - t

    def close(self):
        global SECONDS
        t = time.perf_counter()
        try:
            return super().close()
        finally:
            SECONDS += time.perf_counter() - t
