"""A mail backend for benchmarks: builds every message in full (MIME, both parts) and counts it."""

from django.core.mail.backends.base import BaseEmailBackend

SENT = 0
BYTES = 0


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        global SENT, BYTES
        for message in email_messages:
            BYTES += len(message.message().as_bytes())
            SENT += 1
        return len(email_messages)
