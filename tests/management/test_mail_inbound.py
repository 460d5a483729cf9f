"""`convene mail_inbound`: the command serves replies by e-mail until SIGTERM, then stops cleanly."""

from __future__ import annotations

import io
import os
import signal
import smtplib
import socket
import threading
from email.message import EmailMessage

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from convene.communities.models import Role
from convene.discussions import replies, services
from convene.discussions.models import Post
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@override_settings(CONVENE_REPLY_DOMAIN="reply.example.org")
def test_the_command_posts_a_reply_and_stops_on_sigterm():
    community = CommunityFactory(slug="psy")
    ben = UserFactory(email="ben@example.com")
    MembershipFactory(community=community, user=ben, role=Role.MEMBER)
    thread = services.thread_create(community=community, author=ben, title="Rota", body="Swaps?")
    port = _free_port()
    outcome: dict = {}

    def client():  # another thread talks SMTP, then stops the command as a supervisor would
        try:
            for _ in range(100):
                try:
                    connection = smtplib.SMTP("127.0.0.1", port, timeout=20)
                    break
                except OSError:
                    threading.Event().wait(0.1)
            message = EmailMessage()
            message["From"], message["Subject"] = "ben@example.com", "Re: Rota"
            message["To"] = replies.reply_address(ben.pk, thread.pk)
            message.set_content("Friday is fine.")
            with connection:
                connection.send_message(message)
            outcome["sent"] = True
        finally:
            os.kill(os.getpid(), signal.SIGTERM)

    worker = threading.Thread(target=client)
    worker.start()
    out = io.StringIO()
    before = signal.getsignal(signal.SIGTERM)
    call_command("mail_inbound", "--host", "127.0.0.1", "--port", str(port), stdout=out, stderr=io.StringIO())
    worker.join(30)
    assert outcome.get("sent") and "Receiving replies" in out.getvalue() and "Stopped." in out.getvalue()
    assert Post.objects.filter(thread=thread).latest("pk").body == "Friday is fine."
    assert signal.getsignal(signal.SIGTERM) == before  # the previous handler is back


def test_a_bad_port_is_a_clear_error():
    with pytest.raises(CommandError, match="--port"):
        call_command("mail_inbound", "--port", "70000")
